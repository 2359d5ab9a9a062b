import pytest
import torch

from pyg_kgt.data import make_synthetic_multi_source_kg
from pyg_kgt.models import JointTeacher, JointTeacherConfig, ModelConfig
from pyg_kgt.training import (RelationalNeighborSampler, TrainingConfig,
                              fit)


def path_graph():
    # 0 -> 1 -> 2 -> 3 and 4 -> 1 (types 0, 1, 0, 1)
    edge_index = torch.tensor([[0, 1, 2, 4], [1, 2, 3, 1]])
    return edge_index, torch.tensor([0, 1, 0, 1])


def test_sampler_hops_and_local_ids():
    edge_index, edge_type = path_graph()
    sampler = RelationalNeighborSampler(edge_index, edge_type, 5, 2, [10, 10])
    sub = sampler.sample(torch.tensor([2]))
    # Hop 1: in-edge 1->2; hop 2: in-edges of 1 (0->1, 4->1).
    assert sub.nodes[0] == 2 and set(sub.nodes.tolist()) == {0, 1, 2, 4}
    assert sub.adjacency.num_nodes == 4
    assert sub.local[3] == -1 and sub.local[2] == 0
    again = sampler.sample(torch.tensor([3]))
    assert set(again.nodes.tolist()) == {3, 2, 1}
    assert again.local[0] == -1  # reset between samples


def test_sampler_fanout_bounds_the_subgraph():
    g = torch.Generator().manual_seed(0)
    edge_index = torch.randint(1000, (2, 20000), generator=g)
    sampler = RelationalNeighborSampler(
        edge_index, torch.zeros(20000, dtype=torch.long), 1000, 1, [2, 2])
    sub = sampler.sample(torch.arange(5))
    assert sub.nodes.numel() <= 5 + 5 * 2 + 5 * 2 * 2
    assert sub.adjacency.edge_source.numel() <= 5 * 2 + 5 * 2 * 2


def test_memory_bounded_teacher_trains():
    kg = make_synthetic_multi_source_kg(num_entities=300, num_values=20,
                                        num_types=6, seed=1)
    sources = kg.subset(['source1', 'source2'])
    teacher = JointTeacher(JointTeacherConfig(
        model=ModelConfig(hidden_channels=16, dropout=0.0, decoder='rotate'),
        num_neighbors=[5]))
    history = teacher.fit(sources, TrainingConfig(
        epochs=6, batch_size=128, loss='negative-sampling', num_negatives=8,
        margin=3.0, eval_every=3))
    assert history[-1]['loss'] < history[0]['loss']
    assert 'val_mrr' in history[2]


def test_sampler_needs_negative_sampling():
    edge_index, edge_type = path_graph()
    sampler = RelationalNeighborSampler(edge_index, edge_type, 5, 2, [2])
    model = ModelConfig(hidden_channels=4).build(5, 2, 2)
    adjacency = model.encoder.adjacency(edge_index, edge_type, 5)
    with pytest.raises(ValueError, match='negative-sampling'):
        fit(model, adjacency, torch.tensor([[0, 0, 1]]),
            TrainingConfig(epochs=1), sampler=sampler)
