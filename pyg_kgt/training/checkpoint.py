"""Checkpoints as one dict, written atomically, loaded safely."""
from __future__ import annotations

import os
import warnings
from typing import Any, Dict, Optional

import torch
from torch.nn import Module
from torch.optim import Optimizer

from pyg_kgt.errors import DataFormatError
from pyg_kgt.io import atomic_torch_save, safe_torch_load

LAST, PREVIOUS = 'last.pt', 'previous.pt'


def save_checkpoint(path: str, model: Module, optimizer: Optimizer,
                    epoch: int, config: Dict[str, Any],
                    extra: Optional[Dict[str, Any]] = None) -> None:
    r"""Writes ``{model, optimizer, epoch, config, rng, extra}`` atomically
    (temporary file, fsync, rename). ``rng`` holds torch's CPU generator
    state and ``cuda_rng`` every CUDA device's (empty without CUDA): the
    only randomness the training loops use. An existing file at
    ``path`` is first kept as ``previous.pt`` beside it, so one good
    checkpoint survives whatever happens to the newest."""
    write_checkpoint(path, checkpoint_state(model, optimizer, epoch, config,
                                            extra))


def checkpoint_state(model: Module, optimizer: Optimizer, epoch: int,
                     config: Dict[str, Any],
                     extra: Optional[Dict[str, Any]] = None
                     ) -> Dict[str, Any]:
    r"""The checkpoint dict of the current state (tensors are references;
    deep-copy it to keep it while training goes on)."""
    return {'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
            'epoch': epoch, 'config': config, 'rng': torch.get_rng_state(),
            'cuda_rng': (torch.cuda.get_rng_state_all()
                         if torch.cuda.is_available() else []),
            'extra': extra or {}}


def write_checkpoint(path: str, state: Dict[str, Any]) -> None:
    r"""Writes a checkpoint dict atomically, keeping the file it replaces
    as ``previous.pt``."""
    if os.path.exists(path):
        os.replace(path, os.path.join(os.path.dirname(path), PREVIOUS))
    atomic_torch_save(state, path)


def load_checkpoint(path: str, model: Module,
                    optimizer: Optional[Optimizer] = None) -> Dict[str, Any]:
    r"""Restores model, optimizer and RNG state from ``path`` (loaded with
    ``weights_only=True`` onto the CPU, then copied to wherever ``model``
    lives: a checkpoint written on a GPU resumes on a CPU-only machine and
    the other way round) and returns the checkpoint dict. CUDA generator
    states are restored for the devices both machines have."""
    state = safe_torch_load(path)
    if not isinstance(state, dict) or not {'model', 'epoch', 'rng'} <= set(
            state):
        raise DataFormatError(path, 'not a pyg_kgt checkpoint (missing '
                              'model, epoch or rng)')
    model.load_state_dict(state['model'])
    if optimizer is not None:
        optimizer.load_state_dict(state['optimizer'])
    torch.set_rng_state(state['rng'])
    cuda_rng = state.get('cuda_rng') or []
    if cuda_rng and torch.cuda.is_available():
        for index, rng in enumerate(cuda_rng[:torch.cuda.device_count()]):
            torch.cuda.set_rng_state(rng, index)
    return state


def load_latest_checkpoint(folder: str, model: Module,
                           optimizer: Optional[Optimizer] = None
                           ) -> Optional[Dict[str, Any]]:
    r"""Restores the newest good checkpoint of ``folder``: ``last.pt``, or,
    when it is corrupted or truncated (reported by name with a warning),
    ``previous.pt``. Returns :obj:`None` when there is none; raises when
    both exist and neither loads."""
    errors = []
    for name in (LAST, PREVIOUS):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            return load_checkpoint(path, model, optimizer)
        except DataFormatError as e:
            errors.append(str(e))
            warnings.warn(f'skipping bad checkpoint: {e}', RuntimeWarning)
    if errors:
        raise DataFormatError(folder, 'no loadable checkpoint: ' +
                              '; '.join(errors))
    return None
