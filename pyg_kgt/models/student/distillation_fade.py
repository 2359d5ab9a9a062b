"""How much of the teacher a student still takes, decided by its
validation curve."""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import Module


class DistillationFade(Module):
    r"""Scales the distillation terms down each time the student's
    validation MRR fails to improve on its best:

    .. math::
        s_0 = 1, \qquad
        s_{v} = \begin{cases} s_{v-1} & m_v > \max_{u < v} m_u \\
                              \gamma\, s_{v-1} & \textrm{otherwise,}
                \end{cases}

    for the :math:`v`-th validation MRR :math:`m_v`, and the student's loss
    is :math:`\mathcal{L}_{\textrm{LP}} + s_v (\lambda_f
    \mathcal{L}_{\textrm{feat}} + \lambda_n \mathcal{L}_{\textrm{net}} +
    \lambda_p \mathcal{L}_{\textrm{pred}})` until the next validation. The
    teacher guides while the student improves with it; on a plateau the
    target's own loss takes over. :math:`\gamma = 1` keeps the weights
    constant (the paper's loss), :math:`\gamma = 0` switches distillation
    off at the first plateau.

    Its state (the scale and the best MRR) is in buffers, so a checkpoint
    carries it and a resumed run continues with the same scale; the scale
    is also kept as a Python number, so the per-step :meth:`scaled` never
    reads a device tensor (no host synchronisation on a GPU).

    Args:
        factor (float): :math:`\gamma`, in :math:`[0, 1]`.
    """

    def __init__(self, factor: float) -> None:
        super().__init__()
        if not 0.0 <= factor <= 1.0:
            raise ValueError(f'factor must be in [0, 1], got {factor}')
        self.factor = factor
        self.register_buffer('scale', torch.ones(()))
        self.register_buffer('best', torch.full((), float('-inf')))
        self._value = 1.0  # the buffer's value, read where it changes

    @property
    def value(self) -> float:
        r"""The current scale :math:`s_v`."""
        return self._value

    def observe(self, mrr: float) -> float:
        r"""Takes one validation MRR; returns the scale from now on."""
        if mrr > float(self.best):
            self.best.fill_(mrr)
        else:
            self.scale.mul_(self.factor)
            self._value = float(self.scale)
        return self.value

    def release(self) -> bool:
        r"""Switches distillation off for good (:math:`s = 0`); returns
        whether it was still on."""
        if self.value == 0.0:
            return False
        self.scale.fill_(0.0)
        self._value = 0.0
        return True

    def scaled(self, loss: Tensor) -> Tensor:
        r"""``loss`` scaled by :math:`s_v`."""
        return loss if self.value == 1.0 else loss * self.value

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # A checkpoint from before the fade existed: start unfaded.
        for name, default in (('scale', 1.0), ('best', float('-inf'))):
            state_dict.setdefault(prefix + name, torch.full((), default))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._value = float(self.scale)

    def extra_repr(self) -> str:
        return f'factor={self.factor}, scale={self.value:.4g}'
