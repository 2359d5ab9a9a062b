"""1-N cross-entropy with label smoothing."""
from __future__ import annotations

from typing import Any, Tuple

import torch
from torch import Tensor
from torch.nn import Module

from pyg_kgt.nn.precision import apply_in_float32, float32_backward


class _SmoothedCrossEntropy(torch.autograd.Function):
    r"""Label-smoothed cross-entropy whose forward leaves the gradient's
    main term behind.

    Forward computes :math:`e = \exp(s - \max s)` into one buffer (and
    the row sums, the true scores and the row means of the scores), which
    it keeps instead of the scores; backward turns that buffer, in place,
    into :math:`(\mathrm{softmax}(s) - y^{\epsilon})\, g / B` in two
    passes. Seven passes over the :obj:`[B, N]` scores and one buffer in
    all, where ``logsumexp`` and a fresh softmax in the backward took about
    ten passes and two buffers. Hence one backward per forward.
    """

    @staticmethod
    def forward(ctx: Any, scores: Tensor, target: Tensor,
                smoothing: float) -> Tensor:
        shift = scores.amax(dim=1, keepdim=True)
        true = scores.gather(1, target[:, None]).squeeze(1)
        loss = -(1 - smoothing) * true
        if smoothing:
            loss = loss - smoothing * scores.mean(dim=1)
        exp = torch.sub(scores, shift).exp_()
        total = exp.sum(dim=1)
        loss = loss + shift.squeeze(1) + total.log()
        ctx.save_for_backward(exp, total, target)
        ctx.smoothing = smoothing
        ctx.used = False
        return loss.mean()

    @staticmethod
    @float32_backward
    def backward(ctx: Any, grad: Tensor) -> Tuple[Any, ...]:
        if not ctx.needs_input_grad[0]:
            return None, None, None
        if ctx.used:  # the buffer became the gradient the first time
            raise RuntimeError('OneToNCrossEntropyLoss: backward can run '
                               'once per forward (retain_graph=True is not '
                               'supported)')
        ctx.used = True
        exp, total, target = ctx.saved_tensors
        num_queries, num_candidates = exp.shape
        scale = grad / num_queries
        # softmax - (1 - eps) * onehot - eps / N, times grad / B.
        out = exp.mul_((scale / total)[:, None])
        if ctx.smoothing:
            out.sub_(scale * ctx.smoothing / num_candidates)
        rows = torch.arange(num_queries, device=exp.device)
        out[rows, target] -= scale * (1 - ctx.smoothing)
        return out, None, None


class OneToNCrossEntropyLoss(Module):
    r"""1-N ("1vsAll") cross-entropy: each query :math:`(h, r, ?)` scores
    every candidate and the true answer is the class,

    .. math::
        \mathcal{L} = -\frac{1}{B} \sum_{q} \sum_{e} y^{\epsilon}_{q,e}
        \log \mathrm{softmax}(\mathbf{s}_q)_e, \qquad
        y^{\epsilon} = (1 - \epsilon)\,\mathbf{1}_{t_q} + \epsilon / N

    computed as :math:`\frac{1}{B}\sum_q \mathrm{logsumexp}(\mathbf{s}_q)
    - (1 - \epsilon) s_{q,t_q} - \frac{\epsilon}{N} \sum_e s_{q,e}`, with
    the gradient :math:`\mathrm{softmax}(\mathbf{s}_q) - y^{\epsilon}_q`
    written straight into one buffer (it equals
    :func:`torch.nn.functional.cross_entropy` with ``label_smoothing``,
    faster and in less memory: :doc:`/performance`).

    Args:
        label_smoothing (float): :math:`\epsilon`. (default: 0.1)
    """

    def __init__(self, label_smoothing: float = 0.1) -> None:
        super().__init__()
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f'label_smoothing must lie in [0, 1], got '
                             f'{label_smoothing}')
        self.label_smoothing = label_smoothing

    def forward(self, scores: Tensor, target: Tensor) -> Tensor:
        r"""Args:
            scores (torch.Tensor): :obj:`[B, N]` candidate scores.
            target (torch.Tensor): :obj:`[B]` index of the true candidate.
        """
        return apply_in_float32(_SmoothedCrossEntropy, scores, target.long(),
                                float(self.label_smoothing))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'label_smoothing={self.label_smoothing})')
