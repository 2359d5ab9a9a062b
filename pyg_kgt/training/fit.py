"""The one fit loop: link prediction with early stopping and checkpoints."""
from __future__ import annotations

import copy
import math
import os
import time
import warnings
from typing import Callable, Dict, List, Optional, Protocol, Sequence, Union

import torch
from torch import Tensor
from torch.nn import Module
from tqdm.auto import tqdm

from pyg_kgt import runtime
from pyg_kgt.training import phases
from pyg_kgt.environment import hardware, native_bf16, resolve_device
from pyg_kgt.errors import NonFiniteLossError, PerformanceWarning
from pyg_kgt.nn.conv import RelationalAdjacency
from pyg_kgt.training.checkpoint import (LAST, checkpoint_state,
                                         load_latest_checkpoint,
                                         write_checkpoint)
from pyg_kgt.training.config import (TrainingConfig, build_optimizer,
                                     build_scheduler)
from pyg_kgt.training.distributed import DistributedContext
from pyg_kgt.training.early_stopping import EarlyStopping
from pyg_kgt.training.neighbor_sampler import RelationalNeighborSampler
from pyg_kgt.training.triple_group import TripleGroup


class TrainingInterrupted(KeyboardInterrupt):
    r"""Ctrl-C during training; the message says where the checkpoint of the
    last completed epoch was saved."""


class TrainableModel(Protocol):
    r"""What :func:`fit` needs of a model: a module (parameters,
    ``train``/``eval``, ``state_dict``) whose ``training_loss`` gives the
    loss of one step (e.g. the link predictor's: :doc:`/architecture`).
    """

    def training_loss(self, adjacency: Optional[RelationalAdjacency],
                      batch: Tensor, group: TripleGroup,
                      task_weight: float = 1.0,
                      sampler: Optional[RelationalNeighborSampler] = None,
                      extra_loss: Optional[Callable[..., Tensor]] = None
                      ) -> Tensor: ...


class _Step(Module):
    r"""The model's step loss as a module ``forward``, the call
    :class:`~torch.nn.parallel.DistributedDataParallel` wraps (it
    synchronises the gradients of what its ``forward`` ran)."""

    def __init__(self, model: Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *args, **kwargs) -> Tensor:
        return self.model.training_loss(*args, **kwargs)


def _batches(groups: Sequence[TripleGroup], batch_size: int,
             generator: torch.Generator):
    r"""Shuffled batches, each from a single group, in an order drawn from
    ``generator`` only (a CPU generator: the same on every rank and
    device); the permutations go to the triples' device once per epoch."""
    batches = [(group, ids) for group in groups
               for ids in torch.split(torch.randperm(
                   len(group), generator=generator).to(
                       group.triples.device), batch_size)]
    for i in torch.randperm(len(batches), generator=generator).tolist():
        group, ids = batches[i]
        yield group, group.triples[ids]


def fit(model: TrainableModel, adjacency: Optional[RelationalAdjacency],
        train_triples: Union[Tensor, Sequence[TripleGroup]],
        config: TrainingConfig,
        validate: Optional[Callable[[Module], float]] = None,
        checkpoint_dir: Optional[str] = None,
        resume: bool = False,
        on_epoch: Optional[Callable[[Dict[str, float]], None]] = None,
        sampler: Optional[RelationalNeighborSampler] = None,
        extra_loss: Optional[Callable[..., Tensor]] = None,
        on_stop: Optional[Callable[[], bool]] = None
        ) -> List[Dict[str, float]]:
    r"""Trains ``model`` on ``train_triples`` (ids of ``adjacency``'s
    nodes): a tensor :obj:`[n, 3]` ranked against all nodes, or
    :class:`TripleGroup`\ s, each ranked against its own candidates.

    The loop knows no model class: each step it asks the model for its loss
    (:class:`TrainableModel`), back-propagates it and steps the optimiser
    ``config.optimizer`` names, its learning rate following
    ``config.lr_schedule`` epoch by epoch (a torch scheduler,
    :func:`~pyg_kgt.training.config.build_scheduler`). Every
    ``eval_every`` epochs ``validate(model)`` (in eval mode, no grad)
    returns the metric to maximise (validation MRR); training stops after
    ``patience`` validations without improvement and the best weights are
    restored. With ``checkpoint_dir``, ``last.pt`` is written atomically every
    ``checkpoint_every`` epochs (the one it replaces is kept as
    ``previous.pt``), and ``resume`` continues from the newest loadable one
    (model, optimizer, scheduler, epoch, CPU and CUDA RNG and
    early-stopping state),
    ending where an uninterrupted run would. Ctrl-C saves the last completed
    epoch and raises :class:`TrainingInterrupted`; a NaN/inf loss raises
    :class:`NonFiniteLossError` at the end of its epoch and leaves the last
    good checkpoint.

    The loop changes no process state (threads, allocator): an
    application opts in through :mod:`pyg_kgt.runtime` (the CLI does);
    ``config.deterministic`` turns on
    :func:`torch.use_deterministic_algorithms`. ``config.profile`` runs
    each epoch under :mod:`torch.profiler` and adds ``phases`` (seconds per
    phase of the step, :mod:`pyg_kgt.training.phases`) to its record.

    The model, ``adjacency`` and triples are moved to ``config.device``
    (pass ``adjacency`` already there when ``validate`` uses it). Steps
    make no host round trip: the loss is summed on the device and read once
    per epoch. ``config.precision="bf16"`` runs each step's forward under
    :func:`torch.autocast`; on a device without native bfloat16
    (:func:`~pyg_kgt.environment.native_bf16`) it warns with a
    :class:`~pyg_kgt.errors.PerformanceWarning` first; ``"auto"`` takes
    bf16 only where it is native.

    Under ``torchrun`` (``WORLD_SIZE`` > 1) it trains data-parallel with
    :class:`~torch.nn.parallel.DistributedDataParallel` (NCCL on GPUs,
    gloo on CPUs) and the same global batch (see
    :class:`~pyg_kgt.training.distributed.DistributedContext`): rank 0
    validates and writes checkpoints, every rank resumes from them.

    Args:
        model (TrainableModel): The model (e.g. the link predictor of
            the teacher, the student or the single-KG baseline).
        adjacency (RelationalAdjacency): The message-passing graph.
        train_triples (torch.Tensor or [TripleGroup]): See above.
        config (TrainingConfig): Hyper-parameters.
        validate (callable, optional): See above. Without it, no early
            stopping.
        checkpoint_dir (str, optional): Where ``last.pt`` goes.
        resume (bool): Continue from ``checkpoint_dir/last.pt``.
        on_epoch (callable, optional): Called with each epoch's record.
        sampler (RelationalNeighborSampler, optional): Memory-bounded mode:
            each step encodes only a sampled neighbourhood of the batch's
            heads, tails and negatives (``loss="negative-sampling"``; no
            extra loss). Validation still encodes the full graph.
        extra_loss (callable, optional): Added to the model's loss at every
            step (an argument of the step, e.g. the distillation terms; see
            :data:`~pyg_kgt.models.link_predictor.ExtraLoss`).
        on_stop (callable, optional): Called when early stopping would
            stop, after the best weights are restored; when it returns
            :obj:`True` (it changed the objective, e.g. a student released
            its teacher), training goes on from those weights for another
            ``patience`` validations within the epoch budget. Asked once
            per run (a resumed run remembers).

    Returns:
        One record per epoch: ``epoch``, ``loss``, ``seconds`` and, when
        validated, ``val_mrr``.
    """
    if sampler is not None and extra_loss is not None:
        raise ValueError('memory-bounded training (a sampler) needs '
                         "loss='negative-sampling' and no extra loss")
    if config.deterministic:  # asked for; the rest is the application's
        torch.use_deterministic_algorithms(True, warn_only=True)
    device = resolve_device(config.device)
    bf16 = (native_bf16(device) if config.precision == 'auto' else
            config.precision == 'bf16')
    if config.precision == 'bf16' and not native_bf16(device):
        warnings.warn(PerformanceWarning(
            f'training.precision: bf16 on {hardware()}, which has no native '
            f'bfloat16 arithmetic (AVX-512 BF16, AMX or a GPU with it): its '
            f'products are emulated, about 8x slower than fp32 on such a '
            f'CPU; use fp32 here'), stacklevel=2)
    context = DistributedContext.from_environment(
        config.distributed_timeout_s, device)
    model.to(device)
    if adjacency is not None:
        adjacency = adjacency.to(device)
    groups = ([TripleGroup.create(train_triples, adjacency.num_nodes)]
              if isinstance(train_triples, Tensor) else list(train_triples))
    groups = [group.to(device) for group in groups]
    loop = _EpochLoop(model, adjacency, groups, config, validate,
                      checkpoint_dir if context.is_main else None, on_epoch,
                      sampler, extra_loss, bf16, context, on_stop)
    state = (load_latest_checkpoint(checkpoint_dir, model, loop.optimizer)
             if resume and checkpoint_dir else None)
    if state is not None and loop.resume_from(state):
        return loop.history  # the checkpointed run had stopped early
    bar = tqdm(range(loop.start_epoch, config.epochs + 1), desc='train',
               disable=not (config.progress and context.is_main))
    try:
        loop.run(bar)
    except KeyboardInterrupt:
        if checkpoint_dir and loop.snapshot and context.is_main:
            path = os.path.join(checkpoint_dir, LAST)
            write_checkpoint(path, loop.snapshot)
            raise TrainingInterrupted(
                f"interrupted; epoch {loop.snapshot['epoch']} is saved in "
                f'{path} (continue with resume)') from None
        raise
    loop.optimizer.zero_grad(set_to_none=True)  # release the gradients
    loop.stopper.restore(model)
    model.eval()
    return loop.history


class _EpochLoop:
    r"""The state of one :func:`fit`: the optimiser (``config.optimizer``
    through PyG's resolver), its learning-rate scheduler (a torch
    scheduler, :func:`~pyg_kgt.training.config.build_scheduler`), early
    stopping and the history, and the epochs that advance them."""

    def __init__(self, model, adjacency, groups, config: TrainingConfig,
                 validate, checkpoint_dir: Optional[str], on_epoch, sampler,
                 extra_loss, bf16: bool, context: DistributedContext,
                 on_stop: Optional[Callable[[], bool]] = None) -> None:
        self.model, self.adjacency, self.groups = model, adjacency, groups
        self.config, self.validate = config, validate
        self.checkpoint_dir, self.on_epoch = checkpoint_dir, on_epoch
        # What each step passes the model besides its batch.
        self.step_options = {'sampler': sampler, 'extra_loss': extra_loss}
        self.context, self.on_stop = context, on_stop
        self.extended = False  # on_stop said go on (asked once per run)
        self.device = groups[0].triples.device
        self.optimizer = build_optimizer(config, model.parameters())
        self.scheduler = build_scheduler(config, self.optimizer)
        self.stopper = EarlyStopping(config.patience)
        self.history: List[Dict[str, float]] = []
        self.start_epoch = 1
        self.snapshot: Dict = {}  # the last completed epoch's checkpoint
        self.step = context.wrap(_Step(model), self.device)
        self.autocast = torch.autocast(self.device.type,
                                       dtype=torch.bfloat16, enabled=bf16)

    def resume_from(self, state: Dict) -> bool:
        r"""Continues after the checkpoint ``state`` (model and optimiser
        already loaded); returns whether that run had stopped early."""
        extra = state['extra']
        self.start_epoch = state['epoch'] + 1
        self.history = extra.get('history', [])
        self.extended = extra.get('extended', False)
        if extra.get('early_stopping'):
            self.stopper.load_state_dict(extra['early_stopping'])
        if extra.get('scheduler'):
            self.scheduler.load_state_dict(extra['scheduler'])
        else:  # a checkpoint from before the scheduler: replay its epochs
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', UserWarning)
                for _ in range(state['epoch']):
                    self.scheduler.step()
        if extra.get('stopped'):
            self.stopper.restore(self.model)
            return True
        return False

    def run(self, epochs) -> None:
        for epoch in epochs:
            runtime.epoch_started()  # a no-op unless the application opted in
            record, stopped = self._epoch(epoch)
            self.history.append(record)
            epochs.set_postfix({k: round(v, 4) for k, v in record.items()
                                if k in ('loss', 'val_mrr')})
            self._checkpoint(epoch, stopped)
            if self.on_epoch is not None:  # after the epoch is stored
                self.on_epoch(record)
            if stopped:
                break

    def _epoch(self, epoch: int):
        if not self.config.profile:
            return self._timed_epoch(epoch)
        began = time.perf_counter()
        with phases.profiler() as profile:
            record, stopped = self._timed_epoch(epoch)
        record['phases'] = phases.phase_seconds(
            profile, time.perf_counter() - began)
        return record, stopped

    def _timed_epoch(self, epoch: int):
        config, context, device = self.config, self.context, self.device
        self.model.train()
        began = time.perf_counter()
        total, steps = torch.zeros((), device=device), 0
        order = torch.Generator().manual_seed(config.seed * 100003 + epoch)
        for group, batch in _batches(self.groups, config.batch_size, order):
            self.optimizer.zero_grad()
            shard = context.shard(batch)
            with context.collective('training step'):
                with self.autocast:
                    loss = self.step(self.adjacency, shard, group,
                                     context.loss_scale(shard.size(0),
                                                        batch.size(0)),
                                     **self.step_options)
                with phases.phase('backward'):
                    loss.backward()
            with phases.phase('optimizer'):
                self.optimizer.step()
            total += loss.detach().float()
            steps += 1
        self.scheduler.step()
        value = context.mean(total) / max(steps, 1)  # one read per epoch
        if not math.isfinite(value):
            raise NonFiniteLossError(
                f'loss is {value} at epoch {epoch}; the last good '
                f'checkpoint (if any) is kept in {self.checkpoint_dir}')
        record = {'epoch': epoch, 'loss': value,
                  'seconds': time.perf_counter() - began}
        stopped = False
        if self.validate is not None and (epoch % config.eval_every == 0 or
                                          epoch == config.epochs):
            self.model.eval()
            value = None
            if context.is_main:  # one rank validates, all follow its result
                with torch.no_grad(), phases.phase('validation'):
                    value = float(self.validate(self.model))
            record['val_mrr'] = context.broadcast(value)
            stopped = self.stopper.step(record['val_mrr'], epoch, self.model)
            if stopped and self.on_stop is not None and not self.extended:
                self.stopper.restore(self.model)
                self.extended = bool(self.on_stop())
                if self.extended:  # a new objective: one more window
                    self.stopper.bad_evaluations = 0
                    stopped = False
        return record, stopped

    def _state(self, epoch: int, stopped: bool) -> Dict:
        return checkpoint_state(
            self.model, self.optimizer, epoch, self.config.to_dict(),
            {'history': self.history, 'stopped': stopped,
             'early_stopping': self.stopper.state_dict(),
             'extended': self.extended,
             'scheduler': self.scheduler.state_dict()})

    def _checkpoint(self, epoch: int, stopped: bool) -> None:
        config, folder = self.config, self.checkpoint_dir
        if not folder:
            return
        # A deep copy taken at the epoch's end, so a Ctrl-C later in the
        # next epoch still saves an exact one; the same state is written
        # when a checkpoint is due (built once, not twice).
        self.snapshot = copy.deepcopy(self._state(epoch, stopped))
        if config.checkpoint_every and (
                epoch % config.checkpoint_every == 0 or stopped or
                epoch == config.epochs):
            write_checkpoint(os.path.join(folder, LAST), self.snapshot)
