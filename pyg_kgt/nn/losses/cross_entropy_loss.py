"""1-N cross-entropy with label smoothing."""
from __future__ import annotations

from typing import Any, Tuple

import torch
from torch import Tensor
from torch.nn import Module


class _SmoothedCrossEntropy(torch.autograd.Function):
    r"""Label-smoothed cross-entropy in two passes over the scores.

    Forward reads the scores once for :math:`\mathrm{logsumexp}` and once
    for their sum; backward turns the saved scores into the gradient in
    place, so no :obj:`[B, N]` buffer beyond the scores themselves is kept
    or zero-filled.
    """

    @staticmethod
    def forward(ctx: Any, scores: Tensor, target: Tensor,
                smoothing: float) -> Tensor:
        lse = torch.logsumexp(scores, dim=1)
        true = scores.gather(1, target[:, None]).squeeze(1)
        loss = lse - (1 - smoothing) * true
        if smoothing:
            loss = loss - smoothing * scores.mean(dim=1)
        ctx.save_for_backward(scores, target, lse)
        ctx.smoothing = smoothing
        return loss.mean()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tuple[Any, ...]:
        scores, target, lse = ctx.saved_tensors
        if not ctx.needs_input_grad[0]:
            return None, None, None
        num_queries, num_candidates = scores.shape
        # softmax - (1 - eps) * onehot - eps / N, times grad / B.
        out = torch.sub(scores, lse[:, None]).exp_()
        if ctx.smoothing:
            out.sub_(ctx.smoothing / num_candidates)
        rows = torch.arange(num_queries, device=scores.device)
        out[rows, target] -= 1 - ctx.smoothing
        return out.mul_(grad / num_queries), None, None


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
    :func:`torch.nn.functional.cross_entropy` with ``label_smoothing``, at
    about half its memory traffic).

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
        return _SmoothedCrossEntropy.apply(scores, target.long(),
                                           float(self.label_smoothing))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'label_smoothing={self.label_smoothing})')
