import pytest
import torch

from pyg_kgt.nn import OneToNCrossEntropyLoss, RelationalConv


@pytest.mark.parametrize('method', ['basis', 'grouped'])
def test_custom_kernels_run_under_bf16_autocast(method):
    torch.manual_seed(0)
    edge_index, edge_type = torch.randint(50, (2, 300)), torch.randint(6,
                                                                       (300,))
    conv = RelationalConv(16, 16, 6, num_bases=3, method=method)
    adjacency = conv.adjacency(edge_index, edge_type, 50)
    x = torch.randn(50, 16, requires_grad=True)
    conv(x, adjacency).sum().backward()
    reference = x.grad.clone()
    x.grad = None
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = conv(x, adjacency)
        out.float().sum().backward()  # even back-propagated inside autocast
    assert out.dtype == torch.float32  # the kernel itself ran in float32
    # The root transform ran in bfloat16: about 3 significant digits.
    assert torch.allclose(x.grad, reference, rtol=0.05, atol=0.05)


def test_the_1n_loss_takes_bf16_scores():
    scores = torch.randn(8, 20, requires_grad=True)
    target = torch.randint(20, (8,))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = OneToNCrossEntropyLoss(0.1)(scores.bfloat16(), target)
        loss.backward()
    expected = OneToNCrossEntropyLoss(0.1)(scores.bfloat16().float(), target)
    assert loss.dtype == torch.float32
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert scores.grad.dtype == torch.float32
