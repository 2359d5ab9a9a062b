"""Checkpoints as one dict, written atomically, loaded safely."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

import torch
from torch.nn import Module
from torch.optim import Optimizer

from pyg_kgt.io import atomic_torch_save, safe_torch_load


def save_checkpoint(path: str, model: Module, optimizer: Optimizer,
                    epoch: int, config: Dict[str, Any],
                    extra: Optional[Dict[str, Any]] = None) -> None:
    r"""Writes ``{model, optimizer, epoch, config, rng, extra}`` atomically
    (temporary file, fsync, rename). ``rng`` holds torch's CPU generator
    state, the only randomness the training loops use."""
    atomic_torch_save({
        'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
        'epoch': epoch, 'config': config, 'rng': torch.get_rng_state(),
        'extra': extra or {}}, path)


def load_checkpoint(path: str, model: Module,
                    optimizer: Optional[Optimizer] = None) -> Dict[str, Any]:
    r"""Restores model, optimizer and RNG state from ``path`` (loaded with
    ``weights_only=True``) and returns the checkpoint dict."""
    state = safe_torch_load(path)
    model.load_state_dict(state['model'])
    if optimizer is not None:
        optimizer.load_state_dict(state['optimizer'])
    torch.set_rng_state(state['rng'])
    return state


def latest_checkpoint(folder: str) -> Optional[str]:
    r"""``folder/last.pt`` if it exists."""
    path = os.path.join(folder, 'last.pt')
    return path if os.path.isfile(path) else None
