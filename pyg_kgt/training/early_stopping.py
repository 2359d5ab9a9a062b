"""Early stopping that restores the best weights."""
from __future__ import annotations

import copy
from typing import Dict, Optional

import torch
from torch.nn import Module


class EarlyStopping:
    r"""Tracks a validation metric (higher is better), keeps a copy of the
    best weights, and says when ``patience`` evaluations passed without an
    improvement.

    Args:
        patience (int): Evaluations without improvement before stopping.
    """

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.best_state: Optional[Dict[str, torch.Tensor]] = None
        self.bad_evaluations = 0

    def step(self, value: float, epoch: int, model: Module) -> bool:
        r"""Records ``value``; returns :obj:`True` when training should
        stop."""
        if self.best is None or value > self.best:
            self.best, self.best_epoch = value, epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.bad_evaluations = 0
        else:
            self.bad_evaluations += 1
        return self.bad_evaluations >= self.patience

    def restore(self, model: Module) -> None:
        r"""Loads the best weights back into ``model``."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)

    def state_dict(self) -> dict:
        return {'best': self.best, 'best_epoch': self.best_epoch,
                'best_state': self.best_state,
                'bad_evaluations': self.bad_evaluations}

    def load_state_dict(self, state: dict) -> None:
        self.best = state['best']
        self.best_epoch = state['best_epoch']
        self.best_state = state['best_state']
        self.bad_evaluations = state['bad_evaluations']
