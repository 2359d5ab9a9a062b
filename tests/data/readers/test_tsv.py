import pytest

from pyg_kgt.data.readers import read_tsv
from pyg_kgt.errors import DataFormatError


def test_single_kg_folder_and_column_order(write):
    root = write({'train.txt': 'p\ta\tb\np\tb\tc\n', 'test.txt': 'q\ta\tc\n'})
    kg = read_tsv(str(root), columns='rht')
    graph = kg[kg.names[0]]
    assert graph.entity_names == ['a', 'b', 'c']
    assert graph.relation_names == ['p', 'q']
    assert graph.test.tolist() == [[0, 1, 2]]
    assert graph.val.numel() == 0


def test_multi_kg_folder_with_alignment_split(write):
    root = write({
        'one/train.tsv': 'a\tp\tb\n', 'two/train.tsv': 'x\tq\ty\n',
        'alignments/one-two-train.tsv': 'a\tx\n',
        'alignments/one-two-test.tsv': 'b\ty\n'})
    kg = read_tsv(str(root))
    assert kg.names == ['one', 'two'] and not kg.shared_relations
    links = kg.alignments[('one', 'two')]
    assert links.train.tolist() == [[0, 0]]
    assert links.test.tolist() == [[1, 1]]


def test_unseen_test_entities_are_counted_not_dropped(write):
    root = write({'train.tsv': 'a\tp\tb\n', 'test.tsv': 'a\tp\tz\na\tp\tb\n',
                  'val.tsv': 'a\tp\tb\na\tp\tb\n'})
    graph = read_tsv(str(root))[root.name]
    stats = graph.statistics()
    assert stats['test_triples'] == 2
    assert stats['unseen_entity_triples'] == {'val': 0, 'test': 1}
    assert stats['duplicate_triples']['val'] == 1


@pytest.mark.parametrize('files, problem', [
    ({'readme.md': 'x'}, 'no train.tsv'),
    ({'one/train.tsv': 'a\tp\tb\n', 'alignments/one-zz.tsv': 'a\tb\n'},
     'alignment file name must be'),
    ({'one/train.tsv': 'a\tp\tb\n', 'two/train.tsv': 'x\tq\ty\n',
      'alignments/one-two.tsv': 'a\tnope\n'}, "unknown entity 'nope'"),
    ({'train.tsv': 'a\tp\n'}, 'expected 3 tab-separated columns'),
])
def test_tsv_errors(write, files, problem):
    with pytest.raises(DataFormatError, match=problem):
        read_tsv(str(write(files)))
