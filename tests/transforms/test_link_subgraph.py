import pytest
import torch

from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
from pyg_kgt.transforms import LinkSubgraph


def hand_built() -> MultiSourceKG:
    r"""Target t (3 entities) and sources a (6) and b (2).

    a's facts form a path 0-1-2-3-4 plus 5 isolated-ish (4->5);
    t0 ~ a1 and t2 ~ b0 are the training alignments; t1 ~ a4 is a test
    alignment and must not link anything.
    """
    rels = ['p', 'q']
    t = KnowledgeGraph('t', ['t0', 't1', 't2'], rels,
                       torch.tensor([[0, 0, 1], [1, 1, 2]]),
                       val=torch.tensor([[0, 1, 2]]),
                       test=torch.tensor([[2, 0, 0]]))
    a = KnowledgeGraph('a', [f'a{i}' for i in range(6)], rels,
                       torch.tensor([[0, 0, 1], [1, 1, 2], [2, 0, 3],
                                     [3, 1, 4], [4, 0, 5]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], rels, torch.tensor([[1, 1, 0]]))
    return MultiSourceKG([t, a, b], [
        AlignmentLinks('t', 'a', torch.tensor([[0, 1]]),
                       torch.tensor([[1, 4]])),
        AlignmentLinks('b', 't', torch.tensor([[0, 2]]))])


def edges(store):
    return sorted(zip(store.edge_index[0].tolist(),
                      store.edge_index[1].tolist(),
                      store.edge_type.tolist()))


def test_one_hop_exact_nodes_and_edges():
    out = LinkSubgraph('t', num_hops=1)(hand_built().to_hetero_data())
    assert out.target_name == 't'
    # Source a: seed a1; its incident edges 0->1 and 1->2 keep {a0, a1, a2}.
    assert out['a'].orig_id.tolist() == [0, 1, 2]
    assert edges(out['a', 'fact', 'a']) == [(0, 1, 0), (1, 2, 1)]
    assert out['t', 'same_as', 'a'].edge_index.tolist() == [[0], [1]]
    # Source b: seed b0 via the flipped b-t link; edge 1->0 keeps b1.
    assert out['b'].orig_id.tolist() == [0, 1]
    assert edges(out['b', 'fact', 'b']) == [(1, 0, 1)]
    assert out['t', 'same_as', 'b'].edge_index.tolist() == [[2], [0]]
    # The target is kept whole, every split.
    assert out['t'].num_nodes == 3
    assert out['t', 'fact', 't'].test_edge_index.tolist() == [[2], [0]]
    # Teacher ids: default layout a (0..5) then b (6..7).
    assert out['a'].teacher_id.tolist() == [0, 1, 2]
    assert out['b'].teacher_id.tolist() == [6, 7]
    assert out['t'].teacher_id.tolist() == [1, -1, 6]


def test_two_hops_and_zero_hops():
    data = hand_built().to_hetero_data()
    out = LinkSubgraph('t', sources=['a'], num_hops=2)(data)
    assert out['a'].orig_id.tolist() == [0, 1, 2, 3]
    assert edges(out['a', 'fact', 'a']) == [(0, 1, 0), (1, 2, 1), (2, 3, 0)]
    assert 'b' not in out.node_types
    assert out['t'].teacher_id.tolist() == [1, -1, -1]
    alone = LinkSubgraph('t', sources=[], num_hops=0)(data)
    assert alone.node_types == ['t'] and alone.edge_types == [('t', 'fact',
                                                                't')]
    assert alone['t'].teacher_id.tolist() == [-1, -1, -1]
    only_seeds = LinkSubgraph('t', num_hops=0)(data)
    assert only_seeds['a'].orig_id.tolist() == [1]
    assert only_seeds['a', 'fact', 'a'].edge_index.size(1) == 0


def test_max_neighbors_is_seeded_and_bounded():
    data = hand_built().to_hetero_data()
    first = LinkSubgraph('t', sources=['a'], max_neighbors=1, seed=3)(data)
    again = LinkSubgraph('t', sources=['a'], max_neighbors=1, seed=3)(data)
    assert first['a', 'fact', 'a'].edge_index.size(1) == 1
    assert torch.equal(first['a'].orig_id, again['a'].orig_id)


def test_custom_teacher_index_and_repr_and_errors():
    data = hand_built().to_hetero_data()
    index = {'a': torch.arange(6) * 10}
    out = LinkSubgraph('t', sources=['a', 'b'],
                       teacher_node_index=index)(data)
    assert out['a'].teacher_id.tolist() == [0, 10, 20]
    assert out['b'].teacher_id.tolist() == [-1, -1]  # teacher lacks b
    assert repr(LinkSubgraph('t', num_hops=2)) == (
        "LinkSubgraph(target='t', num_hops=2, max_neighbors=None)")
    with pytest.raises(ValueError, match="target 'zz'"):
        LinkSubgraph('zz')(data)
