import pytest
import torch

from pyg_kgt.data import make_synthetic_multi_source_kg


def test_synthetic_is_deterministic_and_linked():
    a = make_synthetic_multi_source_kg(num_entities=400, seed=3)
    b = make_synthetic_multi_source_kg(num_entities=400, seed=3)
    c = make_synthetic_multi_source_kg(num_entities=400, seed=4)
    assert torch.equal(a['target'].train, b['target'].train)
    assert not torch.equal(a['target'].train, c['target'].train)
    assert a.names == ['source1', 'source2', 'source3', 'target']
    assert len(a.alignments) == 6 and a.shared_relations
    links = a.alignments[('source1', 'target')]
    assert links.train.size(0) > 0 and links.test.size(0) > 0
    # Aligned entities are the same world entity (names carry its id).
    s1, t = a['source1'], a['target']
    for i, j in links.train[:20].tolist():
        assert s1.entity_names[i].split(':')[1] == t.entity_names[j].split(
            ':')[1]


def test_synthetic_target_is_sparser_than_sources():
    kg = make_synthetic_multi_source_kg(seed=0)
    sizes = {n: g.train.size(0) for n, g in kg.kgs.items()}
    assert all(sizes['target'] < sizes[s] / 2 for s in ('source1', 'source2',
                                                         'source3'))
    # Transfer is possible: many target test facts are known to a source.
    target, source = kg['target'], kg['source1']
    world = lambda g, i: g.entity_names[i].split(':')[1]  # noqa: E731
    known = {(world(source, h), r, world(source, t))
             for h, r, t in source.train.tolist()}
    hits = sum((world(target, h), r, world(target, t)) in known
               for h, r, t in target.test.tolist())
    assert hits > 0.1 * target.test.size(0)


def test_product_shape_has_few_shared_relations_and_hubs():
    from pyg_kgt.data import make_product_multi_source_kg
    from pyg_kgt.data.joint_graph import JointGraph
    kg = make_product_multi_source_kg(num_markets=3)
    assert kg.names == ['market1', 'market2', 'market3']
    assert kg.num_relations == 21  # shared by name across markets
    graph = JointGraph.build(kg)
    assert graph.num_message_relations == 2 * 21 + 1
    degree = torch.bincount(graph.edge_index[1], minlength=graph.num_nodes)
    # Heavy-tailed: the largest hub has hundreds of times the median.
    assert degree.max() > 200 * degree.float().median()
    with pytest.raises(ValueError, match='num_markets'):
        make_product_multi_source_kg(num_markets=1)
