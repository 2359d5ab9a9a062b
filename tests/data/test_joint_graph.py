import torch

from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
from pyg_kgt.data import JointGraph, merge_components


def two_kgs() -> MultiSourceKG:
    r"""a: 0 -p-> 1 -q-> 2; b: 0 -p-> 1; links a1~b0, a2~b1 (train)."""
    rels = ['p', 'q']
    a = KnowledgeGraph('a', ['a0', 'a1', 'a2'], rels,
                       torch.tensor([[0, 0, 1], [1, 1, 2]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], rels, torch.tensor([[0, 0, 1]]))
    return MultiSourceKG([a, b], [AlignmentLinks(
        'a', 'b', torch.tensor([[1, 0], [2, 1]]), torch.tensor([[0, 1]]))])


def edge_set(graph):
    return set(zip(graph.edge_index[0].tolist(),
                   graph.edge_index[1].tolist(), graph.edge_type.tolist()))


def test_same_as_linking_graph():
    g = JointGraph.build(two_kgs(), 'same_as')
    assert g.num_nodes == 5 and g.num_message_relations == 5
    assert g.node_index['b'].tolist() == [3, 4]
    assert edge_set(g) == {
        (0, 1, 0), (1, 2, 1), (3, 4, 0),          # facts
        (1, 0, 2), (2, 1, 3), (4, 3, 2),          # inverses
        (1, 3, 4), (3, 1, 4), (2, 4, 4), (4, 2, 4)}  # same_as, train only
    assert g.alignment_pairs.tolist() == [[1, 3], [2, 4]]


def test_merge_linking_graph():
    g = JointGraph.build(two_kgs(), 'merge')
    # a1 and b0 become one node, a2 and b1 another.
    assert g.num_nodes == 3
    assert g.node_index['a'].tolist() == [0, 1, 2]
    assert g.node_index['b'].tolist() == [1, 2]
    assert edge_set(g) == {(0, 1, 0), (1, 2, 1), (1, 2, 0),
                           (1, 0, 2), (2, 1, 3), (2, 1, 2)}
    assert g.alignment_pairs.numel() == 0 and g.num_message_relations == 4
    assert g.node_triples(two_kgs(), 'b').tolist() == [[1, 0, 2]]


def test_merge_components_follows_chains():
    labels = merge_components(6, torch.tensor([[0, 3], [3, 5], [1, 2]]))
    assert labels[0] == labels[3] == labels[5]
    assert labels[1] == labels[2] and labels[4] not in (labels[0], labels[1])
    assert labels.tolist() == [0, 1, 1, 0, 2, 0]
