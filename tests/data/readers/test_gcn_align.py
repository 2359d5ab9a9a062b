import pytest

from pyg_kgt.data.readers import read_gcn_align, read_multi_source
from pyg_kgt.errors import DataFormatError

FILES = {
    'ent_ids_1': '0\thttp://a/x\n1\thttp://a/y\n',
    'ent_ids_2': '10\thttp://b/x\n11\thttp://b/y\n12\thttp://b/z\n',
    'triples_1': '0\t5\t1\n',
    'triples_2': '10\t7\t11\n11\t8\t12\n',
    'ref_ent_ids': '0\t10\n1\t11\n',
}


def test_read_dbp15k_layout(write):
    root = write({f'zh_en/{k}': v for k, v in FILES.items()})
    kg = read_multi_source(str(root / 'zh_en'))
    assert kg.names == ['zh', 'en']
    assert kg['en'].train.tolist() == [[0, 0, 1], [1, 1, 2]]
    # Without rel_ids the names come from the (disjoint) ids: none shared.
    assert kg.relation_names == ['rel_5', 'rel_7', 'rel_8']
    assert kg.relation_index['en'].tolist() == [1, 2]
    links = kg.alignments[('zh', 'en')]
    assert links.train.size(0) + links.test.size(0) == 2


def test_read_srprs_layout_with_split(write):
    root = write({**FILES, 'rel_ids_1': '5\tp\n', 'rel_ids_2': '7\tq\n8\tr\n',
                  'sup_ent_ids': '1\t11\n'})
    kg = read_gcn_align(str(root), names=('a', 'b'))
    links = kg.alignments[('a', 'b')]
    assert links.train.tolist() == [[1, 1]]
    assert links.test.tolist() == [[0, 0]]
    assert kg['b'].relation_names == ['q', 'r']


def test_srprs_relations_with_one_uri_are_shared(write):
    root = write({**FILES, 'rel_ids_1': '5\thttp://o/p\n',
                  'rel_ids_2': '7\thttp://o/q\n8\thttp://o/p\n'})
    kg = read_gcn_align(str(root), names=('a', 'b'))
    assert kg.relation_names == ['http://o/p', 'http://o/q']
    assert kg.relation_index['b'].tolist() == [1, 0]
    apart = read_gcn_align(str(root), names=('a', 'b'),
                           shared_relations=False)
    assert apart.relation_names == ['a:http://o/p', 'b:http://o/q',
                                    'b:http://o/p']


@pytest.mark.parametrize('rel, text, problem', [
    ('triples_1', '0\t5\t9\n', 'entity id 9 is not listed'),
    ('ref_ent_ids', '0\t99\n', 'alignment to unknown KG2 entity 99'),
    ('ent_ids_1', '0\ta\n0\tb\n', 'duplicate id 0'),
])
def test_read_gcn_align_errors(write, rel, text, problem):
    root = write({**FILES, rel: text})
    with pytest.raises(DataFormatError, match=problem):
        read_gcn_align(str(root))


@pytest.mark.dataset
def test_real_dbp15k_and_srprs_counts(shared_data):
    kg = read_gcn_align(f'{shared_data}/dbp15k/ja_en')
    stats = kg.statistics()['kgs']
    assert (stats['ja']['entities'], stats['en']['entities']) == (19814,
                                                                  19780)
    assert (stats['ja']['relations'], stats['en']['relations']) == (1299,
                                                                    1153)
    assert (stats['ja']['train_triples'],
            stats['en']['train_triples']) == (77214, 93484)
    links = kg.alignments[('ja', 'en')]
    assert links.train.size(0) + links.test.size(0) == 15000
    kg = read_gcn_align(f'{shared_data}/srprs_15k/dbp_wd_15k_V1')
    stats = kg.statistics()
    assert stats['kgs']['dbp']['train_triples'] == 38421
    assert stats['kgs']['wd']['relations'] == 144
    assert stats['alignments']['dbp-wd'] == {
        'train': 4500, 'test': 10500, 'duplicates_removed': 0}
