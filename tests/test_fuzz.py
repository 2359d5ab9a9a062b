r"""Property-based fuzzing of every reader and the config loader: each
malformed input either loads or fails with the one-line error that names
the file; any other exception is a crash and fails the test. Bounded to
run in well under two minutes. Each test counts its own outcomes, so the
checks hold under any test order or process split (pytest-xdist)."""
import collections
import os
import tempfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyg_kgt.data.readers import (read_dbp5l, read_gcn_align, read_openea,
                                  read_tsv)
from pyg_kgt.errors import ConfigError, DataFormatError
from pyg_kgt.run_config import RunConfig

# Examples per target; PYG_KGT_FUZZ_EXAMPLES raises it for a deep run.
FUZZ = settings(max_examples=int(os.environ.get('PYG_KGT_FUZZ_EXAMPLES',
                                                400)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

field = st.one_of(
    st.integers(-5, 12).map(str),                       # small ids
    st.integers(-10**30, 10**30).map(str),              # huge ids
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(['a', 'b', 'c', 'x y', '', ' ', 'é', '\x00', '3.0']),
    st.text(max_size=6))
row = st.lists(field, min_size=0, max_size=5).map('\t'.join)


@st.composite
def tsv_bytes(draw):
    rows = draw(st.lists(row, max_size=8))
    if rows and draw(st.booleans()):
        rows += draw(st.lists(st.sampled_from(rows), max_size=3))  # dups
    text = ''.join(r + draw(st.sampled_from(['\n', '\r\n', '\r', '']))
                   for r in rows)
    data = text.encode('utf-8', errors='surrogatepass')
    if draw(st.booleans()):
        data += draw(st.binary(max_size=8))  # possibly invalid UTF-8
    return data


def check(reader, folder, files) -> str:
    r"""Writes ``files`` (``None``: left out) under ``folder``, runs
    ``reader(folder)`` and returns the outcome: ``"loaded"`` or ``"clear
    error"`` (a one-line message naming the folder); anything else raises."""
    for rel, data in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if data is not None:
            with open(path, 'wb') as f:
                f.write(data)
    try:
        reader(folder)
        return 'loaded'
    except (DataFormatError, ConfigError) as e:
        message = str(e)
        assert '\n' not in message, message
        assert folder in message, message
        return 'clear error'


def assert_both_outcomes(outcomes: collections.Counter) -> None:
    r"""The fuzzing reached both the loading and the error paths (the
    explicit examples guarantee one case of each)."""
    print(f'\nfuzz outcomes: {dict(outcomes)}')
    assert outcomes['clear error'] > 0 and outcomes['loaded'] > 0, outcomes


VALID_DBP5L = {
    'relations.txt': b'r0\nr1\n', 'entity/xx.tsv': b'x0\nx1\nx2\n',
    'entity/yy.tsv': b'y0\ny1\n', 'kg/xx-train.tsv': b'0\t0\t1\n',
    'kg/xx-val.tsv': b'1\t1\t2\n', 'kg/xx-test.tsv': b'2\t0\t0\n',
    'kg/yy-train.tsv': b'0\t1\t1\n', 'kg/yy-val.tsv': b'1\t0\t0\n',
    'kg/yy-test.tsv': b'1\t1\t0\n', 'seed_alignlinks/xx-yy.tsv': b'0.0\t1.0\n',
}
VALID_GCN = {
    'ent_ids_1': b'0\ta\n1\tb\n', 'ent_ids_2': b'10\tc\n11\td\n',
    'triples_1': b'0\t5\t1\n', 'triples_2': b'10\t7\t11\n',
    'ref_ent_ids': b'0\t10\n1\t11\n', 'sup_ent_ids': b'0\t10\n',
}
VALID_OPENEA = {
    'rel_triples_1': b'a\tp\tb\n', 'rel_triples_2': b'c\tq\td\n',
    'ent_links': b'a\tc\n', '721_5fold/1/train_links': b'a\tc\n',
    '721_5fold/1/valid_links': b'b\td\n', '721_5fold/1/test_links': b'b\td\n',
}
VALID_TSV = {'train.tsv': b'a\tp\tb\n', 'val.tsv': b'a\tp\tc\n',
             'test.tsv': b'b\tp\tc\n'}


def layout_case(valid):
    r"""A valid layout with one file fuzzed or removed."""
    return st.tuples(st.sampled_from(sorted(valid)),
                     st.one_of(tsv_bytes(), st.none()))


@pytest.mark.parametrize('reader, valid', [
    (read_dbp5l, VALID_DBP5L), (read_gcn_align, VALID_GCN),
    (read_openea, VALID_OPENEA), (read_tsv, VALID_TSV)],
    ids=['dbp5l', 'gcn_align', 'openea', 'tsv'])
def test_fuzz_readers(reader, valid):
    outcomes = collections.Counter()
    first = sorted(valid)[0]

    @FUZZ
    @given(layout_case(valid))
    @example((first, valid[first]))  # the valid layout loads
    @example((first, None))  # a missing file is a clear error
    def inner(case):
        name, data = case
        files = dict(valid)
        files[name] = data  # None: the file is missing
        with tempfile.TemporaryDirectory() as folder:
            outcomes[check(reader, folder, files)] += 1
    inner()
    assert_both_outcomes(outcomes)


yaml_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
              st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(
            ['data', 'training', 'teacher', 'student', 'model', 'epochs',
             'lr', 'loss', 'decoder', 'path', 'x', 'run_dir']), inner,
            max_size=4)), max_leaves=10)


def test_fuzz_config_loader():
    outcomes = collections.Counter()

    @FUZZ
    @given(st.one_of(yaml_value.map(lambda v: __import__('yaml')
                                    .safe_dump(v).encode()), tsv_bytes()))
    @example(b'')  # an empty file is the default config
    @example(b'- 1\n')  # the top level must be a mapping
    def inner(data):
        with tempfile.TemporaryDirectory() as folder:
            outcomes[check(lambda f: RunConfig.from_yaml(
                os.path.join(f, 'c.yaml')), folder, {'c.yaml': data})] += 1
    inner()
    assert_both_outcomes(outcomes)
