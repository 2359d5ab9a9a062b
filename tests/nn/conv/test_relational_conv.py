import copy

import pytest
import torch
from torch_geometric.nn import RGCNConv

from pyg_kgt.nn.conv import RelationalAdjacency, RelationalConv


def naive_rgcn(conv: RelationalConv, x, edge_index, edge_type):
    r"""Per-relation, per-node Python reference of the RGCN formula."""
    if conv.num_blocks is None:
        weights = conv.relation_weights()
    out = x @ conv.root + conv.bias
    for r in range(conv.num_weight_relations):
        for i in range(x.size(0)):
            mask = (edge_type == r) & (edge_index[1] == i)
            if not mask.any():
                continue
            mean = x[edge_index[0, mask]].mean(0)
            if conv.num_blocks is None:
                out[i] += mean @ weights[r]
            else:
                w = torch.block_diag(*conv.weight[r])
                out[i] += mean @ w
    return out


def graph(num_nodes=12, num_edges=60, num_relations=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(num_nodes, (2, num_edges), generator=g)
    edge_type = torch.randint(num_relations, (num_edges,), generator=g)
    x = torch.randn(num_nodes, 8, generator=g)
    return x, edge_index, edge_type


@pytest.mark.parametrize('kwargs', [{}, {'num_bases': 3}, {'num_blocks': 2},
                                    {'num_bases': 3, 'method': 'basis'}])
def test_equals_naive_reference_and_pyg_rgcnconv(kwargs):
    x, edge_index, edge_type = graph()
    conv = RelationalConv(8, 4, 5, **kwargs)
    torch.nn.init.normal_(conv.bias)
    out = conv(x, edge_index, edge_type)
    with torch.no_grad():
        expected = naive_rgcn(conv, x, edge_index, edge_type)
    assert torch.allclose(out, expected, atol=1e-5)
    pyg = RGCNConv(8, 4, 5, **{k: v for k, v in kwargs.items()
                               if k != 'method'})
    pyg.load_state_dict(conv.state_dict())
    assert torch.allclose(out, pyg(x, edge_index, edge_type), atol=1e-5)


def test_inverse_relations_match_explicit_reverse_edges():
    x, edge_index, edge_type = graph(num_relations=3)
    conv = RelationalConv(8, 4, 3, num_bases=2, add_inverse=True)
    explicit = RelationalConv(8, 4, 6, num_bases=2)
    explicit.load_state_dict(conv.state_dict())
    both = torch.cat([edge_index, edge_index.flip(0)], 1)
    types = torch.cat([edge_type, edge_type + 3])
    assert torch.allclose(conv(x, edge_index, edge_type),
                          explicit(x, both, types), atol=1e-5)


@pytest.mark.parametrize('kwargs', [{}, {'num_bases': 2, 'method': 'basis'}])
def test_add_aggregation_and_no_root_or_bias(kwargs):
    x, edge_index, edge_type = graph()
    conv = RelationalConv(8, 4, 5, aggr='add', root_weight=False, bias=False,
                          **kwargs)
    kwargs.pop('method', None)
    pyg = RGCNConv(8, 4, 5, aggr='add', root_weight=False, bias=False,
                   **kwargs)
    pyg.load_state_dict(conv.state_dict())
    assert torch.allclose(conv(x, edge_index, edge_type),
                          pyg(x, edge_index, edge_type), atol=1e-5)


def test_messages_returned_and_prebuilt_adjacency():
    x, edge_index, edge_type = graph()
    conv = RelationalConv(8, 4, 5, num_bases=2)
    adjacency = conv.adjacency(edge_index, edge_type, x.size(0))
    assert sum(adjacency.relation_sizes) == adjacency.num_groups
    out, messages = conv(x, adjacency, return_messages=True)
    assert torch.equal(out, messages.out)
    assert torch.allclose(out, messages.aggregated + x @ conv.root +
                          conv.bias, atol=1e-6)
    isolated = torch.ones(x.size(0), dtype=torch.bool)
    isolated[edge_index[1]] = False
    assert (messages.aggregated[isolated] == 0).all()


def test_gradients_reach_all_parameters():
    x, edge_index, edge_type = graph()
    x.requires_grad_()
    conv = RelationalConv(8, 4, 5, num_bases=3)
    conv(x, edge_index, edge_type).pow(2).sum().backward()
    for p in [x, *conv.parameters()]:
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_repr_reset_and_errors():
    conv = RelationalConv(4, 32, num_relations=2)
    assert repr(conv) == 'RelationalConv(4, 32, num_relations=2)'
    assert repr(RelationalConv(4, 8, 2, num_bases=30)) == (
        'RelationalConv(4, 8, num_relations=2, num_bases=30)')
    before = conv.weight.detach().clone()
    conv.reset_parameters()
    assert not torch.equal(before, conv.weight)
    with pytest.raises(ValueError, match='divisible by num_blocks'):
        RelationalConv(5, 8, 2, num_blocks=2)
    assert repr(RelationalConv(4, 8, 2, num_bases=1, method='basis')) == (
        "RelationalConv(4, 8, num_relations=2, num_bases=1, method='basis')")
    with pytest.raises(ValueError, match="method='basis' needs num_bases"):
        RelationalConv(4, 8, 2, method='basis')
    with pytest.raises(ValueError, match='method must be one of'):
        RelationalConv(4, 8, 2, method='fast')
    with pytest.raises(ValueError, match='not both'):
        RelationalConv(4, 8, 2, num_bases=2, num_blocks=2)
    with pytest.raises(ValueError, match='edge_type must lie'):
        RelationalAdjacency.from_edges(torch.tensor([[0], [1]]),
                                       torch.tensor([7]), 2, 2)


@pytest.mark.parametrize('kwargs', [{}, {'num_bases': 3}, {'num_blocks': 2},
                                    {'num_bases': 3, 'method': 'basis'}])
def test_hand_written_backward_equals_pyg_autograd(kwargs):
    x, edge_index, edge_type = graph(num_relations=5)
    conv = RelationalConv(8, 4, 5, **kwargs)
    pyg = RGCNConv(8, 4, 5, **{k: v for k, v in kwargs.items()
                               if k != 'method'})
    pyg.load_state_dict(conv.state_dict())
    grads = []
    for layer in (conv, pyg):
        inp = x.clone().requires_grad_()
        (layer(inp, edge_index, edge_type) ** 2).sum().backward()
        grads.append([inp.grad] + [p.grad for p in layer.parameters()])
    for ours, ref in zip(*grads):
        assert torch.allclose(ours, ref, atol=1e-4)


@pytest.mark.parametrize('method', ['grouped', 'basis'])
def test_gradcheck_double_precision(method):
    x, edge_index, edge_type = graph(num_nodes=6, num_edges=15,
                                     num_relations=3)
    conv = RelationalConv(8, 2, 3, num_bases=2, method=method).double()
    adjacency = conv.adjacency(edge_index, edge_type, 6)
    adjacency.adj = adjacency.adj.double()
    adjacency.edge_weight = adjacency.edge_weight.double()
    inp = x.double().requires_grad_()
    assert torch.autograd.gradcheck(
        lambda v, comp, basis: conv(v, adjacency),
        (inp, conv.comp, conv.weight))


def test_auto_compares_the_dense_work_of_both_paths():
    from pyg_kgt.nn.conv.relational_conv import GROUPS_PER_RELATION
    x, edge_index, edge_type = graph(num_relations=5)
    conv = RelationalConv(8, 4, 5, num_bases=2)
    full = RelationalConv(8, 4, 5)
    adjacency = conv.adjacency(edge_index, edge_type, 12)
    groups = adjacency.group_target.numel()
    relations = len(adjacency.present_relations)
    assert 2 * 12 < groups + GROUPS_PER_RELATION * relations
    assert conv.message_method(adjacency) == 'basis'
    assert full.message_method(adjacency) == 'grouped'  # no bases
    # Many nodes, few edges and relations: B * N exceeds G + c * R.
    sparse = conv.adjacency(torch.tensor([[0, 1, 2], [3, 4, 5]]),
                            torch.tensor([0, 0, 1]), 5000)
    assert 2 * 5000 > 3 + GROUPS_PER_RELATION * 2
    assert conv.message_method(sparse) == 'grouped'
    grouped = RelationalConv(8, 4, 5, num_bases=2, method='grouped')
    grouped.load_state_dict(conv.state_dict())
    assert torch.allclose(conv(x, adjacency), grouped(x, adjacency),
                          atol=1e-5)


def test_pyg_propagate_hook_sees_aggregated_messages():
    x, edge_index, edge_type = graph()
    conv = RelationalConv(8, 4, 5)
    seen = []
    handle = conv.register_propagate_forward_hook(
        lambda module, inputs, output: seen.append(output))
    out, messages = conv(x, edge_index, edge_type, return_messages=True)
    handle.remove()
    assert len(seen) == 1 and torch.equal(seen[0], messages.aggregated)
    conv(x, edge_index, edge_type)
    assert len(seen) == 1  # removed handles stay removed


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
@pytest.mark.parametrize('kwargs', [{}, {'num_bases': 3}, {'num_blocks': 2},
                                    {'num_bases': 3, 'method': 'basis'}])
def test_cuda_equals_cpu_forward_and_backward(kwargs):
    x, edge_index, edge_type = graph(num_nodes=40, num_edges=300)
    conv = RelationalConv(8, 4, 5, **kwargs)
    torch.nn.init.normal_(conv.bias)
    gpu = copy.deepcopy(conv).cuda()
    # The adjacency is built on the GPU, from the GPU's edge tensors.
    adjacency = gpu.adjacency(edge_index.cuda(), edge_type.cuda(), 40)
    assert adjacency.adj.is_cuda and adjacency.edge_group.is_cuda
    outs, grads = [], []
    for layer, device, graph_args in (
            (conv, 'cpu', (edge_index, edge_type)),
            (gpu, 'cuda', (adjacency,))):
        inp = x.detach().clone().to(device).requires_grad_()
        out = layer(inp, *graph_args)
        assert out.device.type == device
        out.pow(2).sum().backward()
        outs.append(out.detach().cpu())
        grads.append([inp.grad.cpu()] +
                     [p.grad.cpu() for p in layer.parameters()])
    assert torch.allclose(outs[1], outs[0], atol=1e-5)
    for on_gpu, on_cpu in zip(grads[1], grads[0]):
        assert torch.allclose(on_gpu, on_cpu, atol=1e-4)
