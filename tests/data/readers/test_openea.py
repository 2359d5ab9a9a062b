import pytest

from pyg_kgt.data.readers import read_multi_source, read_openea
from pyg_kgt.errors import DataFormatError

FILES = {
    'rel_triples_1': 'a1\tp\ta2\na2\tq\ta3\n',
    'rel_triples_2': 'b1\tr\tb2\n',
    'ent_links': 'a1\tb1\na2\tb2\n',
    '721_5fold/1/train_links': 'a1\tb1\n',
    '721_5fold/1/valid_links': 'a2\tb2\n',
    '721_5fold/1/test_links': 'a2\tb2\n',
}


def test_read_openea_fold(write):
    kg = read_multi_source(str(write(FILES)), 'openea')
    links = kg.alignments[('kg1', 'kg2')]
    assert links.train.tolist() == [[0, 0]]
    assert links.test.tolist() == [[1, 1]] and links.duplicates == 1
    assert kg['kg1'].entity_names == ['a1', 'a2', 'a3']


def test_read_openea_without_folds(write):
    files = {k: v for k, v in FILES.items() if not k.startswith('721')}
    kg = read_openea(str(write(files)))
    assert kg.alignments[('kg1', 'kg2')].train.size(0) == 2


def test_read_openea_unknown_entity(write):
    root = write({**FILES, '721_5fold/1/train_links': 'a1\tzz\n'})
    with pytest.raises(DataFormatError,
                       match="unknown entity 'zz' of KG 'kg2'") as info:
        read_openea(str(root))
    assert info.value.line == 1
