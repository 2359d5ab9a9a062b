import pytest
import torch

from pyg_kgt.data import KnowledgeGraph


def test_knowledge_graph_statistics_and_repr():
    kg = KnowledgeGraph('k', ['a', 'b', 'c', 'a'], ['p', 'q'],
                        torch.tensor([[0, 0, 1], [0, 0, 1]]),
                        test=torch.tensor([[1, 1, 2]]))
    stats = kg.statistics()
    assert stats['duplicate_triples']['train'] == 1
    assert stats['unseen_entity_triples']['test'] == 1
    assert stats['relations_used'] == 2
    assert stats['duplicate_entity_names'] == 1
    assert kg.entity_to_id['a'] == 0
    assert repr(kg) == ("KnowledgeGraph('k', entities=4, relations=2, "
                        "train=2, val=0, test=1)")


def test_knowledge_graph_rejects_bad_triples():
    with pytest.raises(ValueError, match='tail id 5 is out of range'):
        KnowledgeGraph('k', ['a'], ['p'], torch.tensor([[0, 0, 5]]))
    with pytest.raises(ValueError, match=r'must have shape \[n, 3\]'):
        KnowledgeGraph('k', ['a'], ['p'], torch.tensor([[0, 0]]))
