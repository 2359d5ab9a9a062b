import pytest

from pyg_kgt.data.readers import read_relation_alignment, read_tsv
from pyg_kgt.errors import DataFormatError, DataWarning


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
    assert kg.names == ['one', 'two'] and kg.relation_names == ['p', 'q']
    links = kg.alignments[('one', 'two')]
    assert links.train.tolist() == [[0, 0]]
    assert links.test.tolist() == [[1, 1]]


def test_alignment_split_all_trains_on_every_pair(write):
    from pyg_kgt.data.readers import read_multi_source
    root = write({
        'one/train.tsv': 'a\tp\tb\n', 'two/train.tsv': 'x\tq\ty\n',
        'alignments/one-two-train.tsv': 'a\tx\n',
        'alignments/one-two-test.tsv': 'b\ty\na\tx\n'})
    given = read_multi_source(str(root), 'tsv', alignment_split='given')
    assert given.alignments[('one', 'two')].test.tolist() == [[1, 1], [0, 0]]
    links = read_multi_source(str(root), 'tsv', alignment_split='all'
                              ).alignments[('one', 'two')]
    # Every pair trains once (the pair in both files is not doubled).
    assert links.train.tolist() == [[0, 0], [1, 1]]
    assert links.test.numel() == 0
    with pytest.raises(ValueError, match="alignment_split 'jmac'"):
        read_multi_source(str(root), 'tsv', alignment_split='jmac')


def test_header_lines_are_skipped_with_a_note(write):
    root = write({
        'one/train.tsv': 'head\trelation\ttail\na\tp\tb\n',
        'two/train.tsv': 'x\tq\ty\n',
        'alignments/one-two.tsv': 'one\ttwo\na\tx\n'})
    with pytest.warns(DataWarning) as notes:
        kg = read_tsv(str(root))
    assert kg['one'].entity_names == ['a', 'b']
    assert kg['one'].relation_names == ['p']
    assert kg.alignments[('one', 'two')].train.tolist() == [[0, 0]]
    messages = sorted(str(n.message) for n in notes)
    assert 'one-two.tsv:1: skipped header line' in messages[0]
    assert 'train.tsv:1: skipped header line' in messages[1]


def test_relation_alignment_file(write):
    root = write({'rel.tsv': 'source\ttarget\nmort\tdeathPlace\n'
                  'né\tbirthPlace\n'})
    with pytest.warns(DataWarning):
        aliases = read_relation_alignment(str(root / 'rel.tsv'))
    assert aliases == {'mort': 'deathPlace', 'né': 'birthPlace'}
    root = write({'twice.tsv': 'a\tb\na\tc\n'})
    with pytest.raises(DataFormatError, match='twice.tsv:2: .*aligned twice'):
        read_relation_alignment(str(root / 'twice.tsv'))


def test_relations_with_one_name_are_shared_across_kgs(write):
    root = write({'one/train.tsv': 'a\tp\tb\na\tq\tb\n',
                  'two/train.tsv': 'x\tr\ty\nx\tp\ty\n'})
    kg = read_tsv(str(root))
    assert kg.relation_names == ['p', 'q', 'r']
    assert kg.relation_index['two'].tolist() == [2, 0]
    assert read_tsv(str(root), shared_relations=False).relation_names == [
        'one:p', 'one:q', 'two:r', 'two:p']


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
