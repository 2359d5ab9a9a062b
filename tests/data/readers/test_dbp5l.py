import pytest

from pyg_kgt.data.readers import read_dbp5l, read_multi_source
from pyg_kgt.errors import DataFormatError

FILES = {
    'relations.txt': 'r0\nr1\n',
    'entity/xx.tsv': 'x0\nx1\nx2\n',
    'entity/yy.tsv': 'y0\ny1\n',
    'entity/de.tsv': 'extra language without triples\n',
    'kg/xx-train.tsv': '0\t0\t1\n1\t1\t2\n',
    'kg/xx-val.tsv': '2\t0\t0\n',
    'kg/xx-test.tsv': '0\t1\t2\n',
    'kg/yy-train.tsv': '0\t1\t1\n',
    'kg/yy-val.tsv': '1\t0\t0\n',
    'kg/yy-test.tsv': '1\t1\t0\n',
    'seed_alignlinks/xx-yy.tsv': '0.0\t1.0\n2.0\t0.0\n0.0\t1.0\n',
    'jmac_split/seed_train_pairs/xx-yy.tsv': '0.0\t1.0\n',
    'jmac_split/seed_test_pairs/xx-yy.tsv': '2.0\t0.0\n',
}


def test_read_dbp5l_crlf(write):
    root = write(FILES, newline='\r\n')
    kg = read_multi_source(str(root), 'auto')
    assert kg.names == ['xx', 'yy']  # not 'de', which has no triples
    assert kg.shared_relations and kg.num_relations == 2
    assert kg['xx'].train.tolist() == [[0, 0, 1], [1, 1, 2]]
    assert kg['yy'].test.tolist() == [[1, 1, 0]]
    links = kg.alignments[('xx', 'yy')]
    assert links.train.tolist() == [[0, 1], [2, 0]]
    assert links.duplicates == 1 and links.test.numel() == 0


def test_read_dbp5l_jmac_split(write):
    kg = read_dbp5l(str(write(FILES)), alignment_split='jmac')
    links = kg.alignments[('xx', 'yy')]
    assert links.train.tolist() == [[0, 1]]
    assert links.test.tolist() == [[2, 0]]


def test_read_dbp5l_all_seed_alignments(write):
    root = str(write(FILES))
    for split in ('all', 'kens'):
        links = read_multi_source(root, 'dbp5l', alignment_split=split
                                  ).alignments[('xx', 'yy')]
        assert links.train.tolist() == [[0, 1], [2, 0]]
        assert links.test.numel() == 0


def test_read_dbp5l_subset(write):
    kg = read_dbp5l(str(write(FILES)), languages=['yy'])
    assert kg.names == ['yy'] and not kg.alignments


@pytest.mark.parametrize('rel, text, problem', [
    ('kg/xx-train.tsv', '0\t0\t1\n1\t5\t2\n', 'relation id 5 is out of range'),
    ('kg/xx-test.tsv', '0\t1\n', 'expected 3 tab-separated columns'),
    ('seed_alignlinks/xx-yy.tsv', '0.0\t7.0\n',
     'yy entity id 7 is out of range'),
    ('kg/yy-val.tsv', '', 'file is empty'),
])
def test_read_dbp5l_errors(write, rel, text, problem):
    root = write({**FILES, rel: text})
    with pytest.raises(DataFormatError, match=problem) as info:
        read_dbp5l(str(root))
    assert rel in info.value.path.replace('\\', '/')


def test_read_dbp5l_missing_file(write):
    files = dict(FILES)
    del files['kg/yy-test.tsv']
    with pytest.raises(DataFormatError, match='missing file'):
        read_dbp5l(str(write(files)))


@pytest.mark.dataset
def test_real_dbp5l_counts(shared_data):
    kg = read_dbp5l(f'{shared_data}/dbp5l', alignment_split='jmac')
    expected = {  # ../shared/data/dbp5l/SOURCE.md
        'el': (5231, 8670, 4152, 1017, 160),
        'en': (13996, 48652, 24051, 7464, 861),
        'es': (12381, 33036, 16220, 4810, 241),
        'fr': (13176, 30139, 14705, 4171, 236),
        'ja': (11805, 17979, 8633, 2162, 172),
    }
    for lang, (ents, train, val, test, rels) in expected.items():
        stats = kg[lang].statistics()
        assert (stats['entities'], stats['train_triples'],
                stats['val_triples'], stats['test_triples'],
                stats['relations_used']) == (ents, train, val, test, rels)
    assert kg.statistics()['alignments']['es-fr'] == {
        'train': 2274, 'test': 2275, 'duplicates_removed': 0}
    kens = read_dbp5l(f'{shared_data}/dbp5l')
    links = kens.alignments[('el', 'en')]
    assert links.train.size(0) == 2280 and links.duplicates == 10
