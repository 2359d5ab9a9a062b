"""Data-parallel training over ``torch.distributed`` (launched by torchrun)."""
from __future__ import annotations

import contextlib
import datetime
import os
import sys
from typing import NoReturn, Optional

import torch
import torch.distributed as dist
from torch import Tensor

from pyg_kgt.errors import DistributedError


class DistributedContext:
    r"""This process's place in a data-parallel run.

    Under ``torchrun --nproc_per_node=N`` (and ``--nnodes`` for several
    machines) the environment holds ``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR`` and ``MASTER_PORT``; :meth:`from_environment` then joins
    the process group with a timeout: NCCL when training on GPUs, gloo on
    CPUs (``PYG_KGT_DIST_BACKEND`` overrides). Without them it is the
    single-process context and every method is a no-op.

    Every rank holds the whole model and graph; :meth:`wrap` puts the step
    in :class:`~torch.nn.parallel.DistributedDataParallel`, which copies
    rank 0's parameters to every rank at the start and averages the
    gradients (bucketed ``all_reduce``, overlapped with the backward pass).
    A step's global batch of :math:`B` triples is cut into ``N`` contiguous
    shards; rank :math:`k` computes the loss of its :math:`B_k` triples
    scaled by :math:`N B_k / B` (:meth:`loss_scale`), so the average of the
    ranks' gradients is exactly the gradient of the global batch's mean
    loss (what one process computes). A collective that fails (a peer died
    or timed out) raises :class:`~pyg_kgt.errors.DistributedError`.

    Args:
        rank (int): This process's rank. (default: 0)
        world_size (int): Number of processes. (default: 1)
        timeout_s (float): Seconds a collective waits for its peers.
            (default: 300)
        device (torch.device, optional): Where this rank trains (and its
            collectives' tensors live). (default: CPU)
    """

    def __init__(self, rank: int = 0, world_size: int = 1,
                 timeout_s: float = 300.0,
                 device: Optional[torch.device] = None) -> None:
        self.rank = rank
        self.world_size = world_size
        self.timeout_s = timeout_s
        self.device = device or torch.device('cpu')

    @classmethod
    def from_environment(cls, timeout_s: float = 300.0,
                         device: Optional[torch.device] = None
                         ) -> 'DistributedContext':
        r"""Joins (once) the process group described by torchrun's
        environment, or returns the single-process context."""
        device = device or torch.device('cpu')
        if dist.is_available() and dist.is_initialized():
            return cls(dist.get_rank(), dist.get_world_size(), timeout_s,
                       device)
        world_size = int(os.environ.get('WORLD_SIZE', '1'))
        if world_size <= 1:
            return cls(device=device)
        if not dist.is_available():  # pragma: no cover - build without it
            raise DistributedError('WORLD_SIZE > 1 but this torch build '
                                   'has no torch.distributed')
        backend = os.environ.get('PYG_KGT_DIST_BACKEND',
                                 'nccl' if device.type == 'cuda' else 'gloo')
        if device.type == 'cuda':
            torch.cuda.set_device(device)
        try:
            dist.init_process_group(
                backend, timeout=datetime.timedelta(seconds=timeout_s))
        except (RuntimeError, ValueError) as e:
            raise DistributedError(
                f"rank {os.environ.get('RANK', '?')}: cannot join the "
                f'{world_size}-process group within {timeout_s:.0f} s '
                f'({_first_line(e)})') from None
        return cls(dist.get_rank(), dist.get_world_size(), timeout_s, device)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        r"""Rank 0: the one that validates and writes files."""
        return self.rank == 0

    def wrap(self, module: torch.nn.Module, device: torch.device
             ) -> torch.nn.Module:
        r"""``module`` in :class:`~torch.nn.parallel.DistributedDataParallel`
        (``find_unused_parameters``: a distillation head switched off, or a
        decoder in a rank's empty shard, takes no part in a step), or
        ``module`` itself in a single process."""
        if not self.enabled:
            return module
        from torch.nn.parallel import DistributedDataParallel
        with self.collective('broadcast of the parameters'):
            return DistributedDataParallel(
                module, device_ids=[device] if device.type == 'cuda' else
                None, find_unused_parameters=True)

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

    def mean(self, value: Tensor) -> float:
        r"""The mean of a scalar tensor over ranks, read on the host (one
        ``all_reduce``; the one host round trip of an epoch)."""
        if not self.enabled:
            return float(value)
        buffer = value.detach().reshape(1).to(self.device, torch.float64)
        with self.collective('all_reduce of the loss'):
            dist.all_reduce(buffer)
        return float(buffer) / self.world_size

    def broadcast(self, value: Optional[float]) -> float:
        r"""Rank 0's ``value`` on every rank (validation results)."""
        if not self.enabled:
            return float(value)
        buffer = torch.tensor([float(value) if self.is_main else 0.0],
                              dtype=torch.float64, device=self.device)
        with self.collective('broadcast'):
            dist.broadcast(buffer, 0)
        return float(buffer)

    def close(self) -> None:
        r"""Leaves the process group (end of a run)."""
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()

    @contextlib.contextmanager
    def collective(self, what: str):
        r"""Runs a block that communicates with the peers; a failure there
        (a peer died or did not answer in time) raises
        :class:`~pyg_kgt.errors.DistributedError` naming ``what``."""
        if not self.enabled:
            yield
            return
        try:
            yield
        except RuntimeError as e:
            if what == 'training step' and not _is_communication_error(e):
                raise  # the step's own error, not a peer's
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


def exit_failed_rank(message: str, code: int = 3) -> NoReturn:
    r"""Prints ``message`` on stderr and ends this process at once with
    ``code``. After a peer died, the threads of the broken process group
    (and of :class:`~torch.nn.parallel.DistributedDataParallel`'s reducer)
    can block a normal interpreter exit (seen in 2 of 5 runs), so a failed
    rank leaves without running exit handlers."""
    print(message, file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(code)


_COMMUNICATION_WORDS = ('gloo', 'nccl', 'peer', 'connection', 'timed out',
                        'timeout', 'broken pipe', 'process group')


def _is_communication_error(error: BaseException) -> bool:
    text = str(error).lower()
    return any(word in text for word in _COMMUNICATION_WORDS)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
