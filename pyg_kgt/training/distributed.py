"""Data-parallel training over ``torch.distributed`` (launched by torchrun)."""
from __future__ import annotations

import contextlib
import datetime
import os
from typing import Iterable, Optional

import torch
import torch.distributed as dist
from torch import Tensor

from pyg_kgt.errors import DistributedError


class DistributedContext:
    r"""This process's place in a data-parallel run.

    Under ``torchrun --nproc_per_node=N`` (and ``--nnodes`` for several
    machines) the environment holds ``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR`` and ``MASTER_PORT``; :meth:`from_environment` then joins
    the process group with a timeout. The backend is ``gloo``: the fit loop
    trains on CPU tensors (``PYG_KGT_DIST_BACKEND=nccl`` selects NCCL for
    code that moves the model to GPUs itself). Without them it is the
    single-process context and every method is a no-op.

    Every rank holds the whole model and graph. A step's global batch of
    :math:`B` triples is cut into ``N`` contiguous shards; rank :math:`k`
    computes the loss of its :math:`B_k` triples scaled by
    :math:`N B_k / B`, so the average of the ranks' gradients is exactly the
    gradient of the global batch's mean loss (what one process computes).
    The gradients, entity table included, are then averaged with one
    ``all_reduce`` over a flat buffer: a full-graph encoder touches every
    entity each step, so the entity gradient is dense anyway, and one
    buffer costs :math:`O(|\theta|)` bytes per step and rank with a single
    latency.

    Args:
        rank (int): This process's rank. (default: 0)
        world_size (int): Number of processes. (default: 1)
        timeout_s (float): Seconds a collective waits for its peers.
            (default: 300)
    """

    def __init__(self, rank: int = 0, world_size: int = 1,
                 timeout_s: float = 300.0) -> None:
        self.rank = rank
        self.world_size = world_size
        self.timeout_s = timeout_s

    @classmethod
    def from_environment(cls, timeout_s: float = 300.0
                         ) -> 'DistributedContext':
        r"""Joins (once) the process group described by torchrun's
        environment, or returns the single-process context."""
        if dist.is_available() and dist.is_initialized():
            return cls(dist.get_rank(), dist.get_world_size(), timeout_s)
        world_size = int(os.environ.get('WORLD_SIZE', '1'))
        if world_size <= 1:
            return cls()
        if not dist.is_available():  # pragma: no cover - build without it
            raise DistributedError('WORLD_SIZE > 1 but this torch build '
                                   'has no torch.distributed')
        backend = os.environ.get('PYG_KGT_DIST_BACKEND', 'gloo')
        try:
            dist.init_process_group(
                backend, timeout=datetime.timedelta(seconds=timeout_s))
        except (RuntimeError, ValueError) as e:
            raise DistributedError(
                f"rank {os.environ.get('RANK', '?')}: cannot join the "
                f'{world_size}-process group within {timeout_s:.0f} s '
                f'({_first_line(e)})') from None
        return cls(dist.get_rank(), dist.get_world_size(), timeout_s)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        r"""Rank 0: the one that validates and writes files."""
        return self.rank == 0

    def shard(self, batch: Tensor) -> Tensor:
        r"""This rank's contiguous part of a global batch (possibly empty
        when the batch has fewer rows than ranks)."""
        if not self.enabled:
            return batch
        return torch.tensor_split(batch, self.world_size)[self.rank]

    def loss_scale(self, shard_size: int, batch_size: int) -> float:
        r""":math:`N B_k / B`, making the ranks' mean gradient the global
        batch's."""
        return self.world_size * shard_size / max(batch_size, 1)

    def average_gradients(self, parameters: Iterable[torch.nn.Parameter],
                          loss: float) -> float:
        r"""Averages the gradients (``None`` counts as zero) and the loss
        value over ranks in one ``all_reduce``; returns the mean loss."""
        if not self.enabled:
            return loss
        parameters = [p for p in parameters if p.requires_grad]
        grads = [p.grad if p.grad is not None else torch.zeros_like(p)
                 for p in parameters]
        flat = torch.cat([g.reshape(-1) for g in grads] +
                         [torch.tensor([loss], dtype=grads[0].dtype,
                                       device=grads[0].device)])
        self._collective('all_reduce of the gradients',
                         lambda: dist.all_reduce(flat))
        flat /= self.world_size
        offset = 0
        for p in parameters:
            n = p.numel()
            p.grad = flat[offset:offset + n].view_as(p).clone()
            offset += n
        return float(flat[-1])

    def broadcast_parameters(self, module: torch.nn.Module) -> None:
        r"""Copies rank 0's parameters and buffers to every rank (as DDP does
        at construction), so ranks start identical however they seeded."""
        if not self.enabled:
            return
        tensors = [t for t in (*module.parameters(), *module.buffers())
                   if t.is_floating_point()]
        if not tensors:
            return
        flat = torch.cat([t.detach().reshape(-1) for t in tensors])
        self._collective('broadcast of the parameters',
                         lambda: dist.broadcast(flat, 0))
        offset = 0
        with torch.no_grad():
            for t in tensors:
                t.copy_(flat[offset:offset + t.numel()].view_as(t))
                offset += t.numel()

    def broadcast(self, value: Optional[float]) -> float:
        r"""Rank 0's ``value`` on every rank (validation results)."""
        if not self.enabled:
            return float(value)
        buffer = torch.tensor([float(value) if self.is_main else 0.0],
                              dtype=torch.float64)
        self._collective('broadcast', lambda: dist.broadcast(buffer, 0))
        return float(buffer)

    def close(self) -> None:
        r"""Leaves the process group (end of a run)."""
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()

    def _collective(self, what: str, call) -> None:
        try:
            call()
        except RuntimeError as e:
            # The group is unusable now; leaving it here stops gloo's
            # threads, which otherwise abort the interpreter at exit.
            with contextlib.suppress(RuntimeError):
                self.close()
            raise DistributedError(
                f'rank {self.rank} of {self.world_size}: {what} failed; a '
                f'peer rank died or did not answer within '
                f'{self.timeout_s:.0f} s ({_first_line(e)})') from None

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(rank={self.rank}, '
                f'world_size={self.world_size})')


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
