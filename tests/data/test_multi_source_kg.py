import pytest
import torch

from pyg_kgt.data import (AlignmentLinks, HomogeneousView, KnowledgeGraph,
                          MultiSourceKG)


def two_kgs(shared: bool = True) -> MultiSourceKG:
    rels = ['p', 'q'] if shared else ['s']
    a = KnowledgeGraph('a', ['a0', 'a1', 'a2'], ['p', 'q'],
                       torch.tensor([[0, 0, 1], [1, 1, 2]]),
                       test=torch.tensor([[0, 1, 2]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], rels, torch.tensor([[1, 0, 0]]))
    links = AlignmentLinks('a', 'b', torch.tensor([[0, 1]]),
                           torch.tensor([[2, 0]]))
    return MultiSourceKG([a, b], [links])


def test_relation_space_shared_by_name_or_namespaced():
    kg = two_kgs(True)
    assert kg.shared_relations and kg.relation_names == ['p', 'q']
    kg = two_kgs(False)
    assert kg.relation_names == ['p', 'q', 's']
    assert kg.global_relations('b', torch.tensor([0])).tolist() == [2]
    apart = MultiSourceKG(list(kg.kgs.values()), shared_relations=False)
    assert not apart.shared_relations
    assert apart.relation_names == ['a:p', 'a:q', 'b:s']
    with pytest.raises(ValueError, match='no relation name in common'):
        MultiSourceKG(list(kg.kgs.values()), shared_relations=True)


def test_relations_shared_by_name_in_any_order():
    a = KnowledgeGraph('a', ['a0', 'a1'], ['born', 'died', 'spouse'],
                       torch.tensor([[0, 2, 1]]))
    b = KnowledgeGraph('b', ['b0', 'b1'], ['died', 'capital', 'born'],
                       torch.tensor([[0, 0, 1], [1, 2, 0]]))
    kg = MultiSourceKG([a, b])
    assert kg.relation_names == ['born', 'died', 'spouse', 'capital']
    assert kg.relation_index['b'].tolist() == [1, 3, 0]
    assert kg.statistics()['relations_in_several_kgs'] == 2
    data = kg.to_hetero_data()
    assert data['b', 'fact', 'b'].edge_type.tolist() == [1, 0]
    assert data['b'].relation_names == ['died', 'capital', 'born']
    assert data.relation_names == kg.relation_names
    vocabulary = kg.relation_vocabulary
    # Any graph's names map into the space by name; unknown ones to -1,
    # aliases (a relation alignment) first.
    assert vocabulary.map(['spouse', 'capital', 'nope']).tolist() == [2, 3,
                                                                     -1]
    assert vocabulary.map(['mort', 'born'], {'mort': 'died'}).tolist() == [
        1, 0]
    assert vocabulary.index_of('b').tolist() == [1, 3, 0]
    # The subset re-numbers, names stay: map by name, never by id.
    sub = kg.subset(['b'])
    assert sub.relation_names == ['died', 'capital', 'born']


def test_to_hetero_data_layout():
    data = MultiSourceKG(list(two_kgs(False).kgs.values()),
                         [two_kgs().alignments[('a', 'b')]],
                         shared_relations=False).to_hetero_data()
    assert data['a'].num_nodes == 3 and data['b'].num_nodes == 2
    fact = data['b', 'fact', 'b']
    assert fact.edge_index.tolist() == [[1], [0]]
    assert fact.edge_type.tolist() == [2]
    assert data['a', 'fact', 'a'].test_edge_index.tolist() == [[0], [2]]
    assert data['a', 'same_as', 'b'].edge_index.tolist() == [[0], [1]]
    assert data['a', 'same_as', 'b'].test_edge_index.tolist() == [[2], [0]]
    assert data.num_relations == 3


def test_homogeneous_view_round_trip():
    kg = two_kgs(False)  # three relations: p, q (of a), s (of b)
    data = kg.to_hetero_data()
    view = HomogeneousView.from_hetero(data)
    assert view.node_offset == {'a': 0, 'b': 3} and view.num_nodes == 5
    assert view.num_relations == 2 * 3 + 1 and view.same_as_relation == 6
    edges = set(zip(view.edge_index[0].tolist(), view.edge_index[1].tolist(),
                    view.edge_type.tolist()))
    assert edges == {(0, 1, 0), (1, 2, 1), (4, 3, 2),  # facts
                     (1, 0, 3), (2, 1, 4), (3, 4, 5),  # inverses
                     (0, 4, 6), (4, 0, 6)}  # same_as, both directions
    # Mapping back: every global id returns to its KG and local id.
    assert [view.node_types[t] for t in view.node_type] == (['a'] * 3 +
                                                           ['b'] * 2)
    assert view.local_id.tolist() == [0, 1, 2, 0, 1]
    assert view.global_ids('b', torch.tensor([1])).tolist() == [4]


def test_homogeneous_view_options():
    data = two_kgs().to_hetero_data()
    view = HomogeneousView.from_hetero(data, add_inverse=False,
                                       add_same_as=False)
    assert view.num_relations == 2 and view.same_as_relation == -1
    assert view.edge_index.size(1) == 3


def test_multi_source_validation_and_subset():
    kg = two_kgs()
    assert kg.links('b', 'a').train.tolist() == [[1, 0]]
    assert kg.subset(['a']).names == ['a']
    assert not kg.subset(['a']).alignments
    with pytest.raises(ValueError, match='unknown KG'):
        kg.subset(['zz'])
    bad = AlignmentLinks('a', 'b', torch.tensor([[0, 9]]))
    with pytest.raises(ValueError, match="links entity 9 outside KG 'b'"):
        MultiSourceKG(list(kg.kgs.values()), [bad])
