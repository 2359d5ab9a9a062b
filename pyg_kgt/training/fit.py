"""The one fit loop: link prediction with early stopping and checkpoints."""
from __future__ import annotations

import copy
import math
import os
import time
from typing import (TYPE_CHECKING, Callable, Dict, List, Optional, Sequence,
                    Union)

import torch
from torch import Tensor
from tqdm.auto import tqdm

from pyg_kgt.environment import follow_free_cores
from pyg_kgt.errors import NonFiniteLossError
from pyg_kgt.nn.conv import RelationalAdjacency, RelationalMessages
from pyg_kgt.nn.losses import (OneToNCrossEntropyLoss,
                               SelfAdversarialNegativeSamplingLoss)
from pyg_kgt.training.checkpoint import (LAST, checkpoint_state,
                                         load_latest_checkpoint,
                                         save_checkpoint, write_checkpoint)
from pyg_kgt.training.config import (TrainingConfig, apply_process_settings,
                                     follows_free_cores)
from pyg_kgt.training.distributed import DistributedContext
from pyg_kgt.training.early_stopping import EarlyStopping
from pyg_kgt.training.neighbor_sampler import RelationalNeighborSampler
from pyg_kgt.training.triple_group import TripleGroup

# extra_loss(model, embeddings, messages, batch) -> scalar added to the task
# loss; messages holds each encoder layer's RelationalMessages.
if TYPE_CHECKING:  # pragma: no cover - the loop knows no model class
    from pyg_kgt.models.link_predictor import LinkPredictor

ExtraLoss = Callable[['LinkPredictor', Tensor, List[RelationalMessages],
                      Tensor], Tensor]


class TrainingInterrupted(KeyboardInterrupt):
    r"""Ctrl-C during training; the message says where the checkpoint of the
    last completed epoch was saved."""


def link_prediction_loss(model: LinkPredictor, embeddings: Tensor,
                         batch: Tensor, config: TrainingConfig,
                         group: TripleGroup) -> Tensor:
    r"""The task loss of one batch of triples :obj:`[B, 3]` of ``group``.

    ``"1-n"``: cross-entropy of the true tail among the group's candidate
    tails and of the true head among its candidate heads (mean of both).
    ``"negative-sampling"``: each triple is corrupted ``num_negatives`` times
    (head or tail, uniformly among the group's candidates).
    """
    if config.loss == '1-n':
        h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
        decoder = model.decoder
        pool = embeddings[group.candidates]
        loss_fn = OneToNCrossEntropyLoss(config.label_smoothing)
        tails = decoder.score_tails(embeddings[h], r, pool)
        heads = decoder.score_heads(r, embeddings[t], pool)
        return (loss_fn(tails, group.position[t]) +
                loss_fn(heads, group.position[h])) / 2
    return negative_sampling_loss(model, embeddings, batch,
                                  sample_negatives(batch, group, config),
                                  config)


def sample_negatives(batch: Tensor, group: TripleGroup,
                     config: TrainingConfig) -> Tensor:
    r"""``num_negatives`` corruptions per triple, :obj:`[B, k, 2]` (head,
    tail): head or tail replaced (uniformly) by one of the group's
    candidates."""
    k = config.num_negatives
    corrupt = group.candidates[torch.randint(group.candidates.numel(),
                                             (batch.size(0), k))]
    corrupt_head = torch.rand(batch.size(0), k) < 0.5
    neg_h = torch.where(corrupt_head, corrupt, batch[:, 0:1])
    neg_t = torch.where(corrupt_head, batch[:, 2:3], corrupt)
    return torch.stack([neg_h, neg_t], dim=-1)


def negative_sampling_loss(model: LinkPredictor, embeddings: Tensor,
                           batch: Tensor, negatives: Tensor,
                           config: TrainingConfig) -> Tensor:
    r"""Self-adversarial negative sampling loss of ``batch`` :obj:`[B, 3]`
    against ``negatives`` :obj:`[B, k, 2]` (ids index ``embeddings``)."""
    h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
    k = negatives.size(1)
    positive = model.decoder(embeddings[h], r, embeddings[t])
    negative = model.decoder(embeddings[negatives[..., 0]],
                             r[:, None].expand(-1, k),
                             embeddings[negatives[..., 1]])
    loss_fn = SelfAdversarialNegativeSamplingLoss(
        config.margin, config.adversarial_temperature)
    return loss_fn(positive, negative)


def _sampled_loss(model: LinkPredictor, sampler: RelationalNeighborSampler,
                  batch: Tensor, group: TripleGroup,
                  config: TrainingConfig) -> Tensor:
    r"""Negative sampling loss on the sampled neighbourhood of the batch."""
    negatives = sample_negatives(batch, group, config)
    seeds = torch.unique(torch.cat([batch[:, 0], batch[:, 2],
                                    negatives.reshape(-1)]))
    sub = sampler.sample(seeds)
    embeddings = model.encoder(sub.adjacency,
                               x=model.encoder.embedding(sub.nodes))
    local = sub.local
    batch = torch.stack([local[batch[:, 0]], batch[:, 1],
                         local[batch[:, 2]]], dim=1)
    return negative_sampling_loss(model, embeddings, batch,
                                  local[negatives], config)


def _batches(groups: Sequence[TripleGroup], batch_size: int,
             generator: torch.Generator):
    r"""Shuffled batches, each from a single group, in an order drawn from
    ``generator`` only (the same on every rank)."""
    batches = [(group, ids) for group in groups
               for ids in torch.split(torch.randperm(len(group),
                                                     generator=generator),
                                      batch_size)]
    for i in torch.randperm(len(batches), generator=generator).tolist():
        group, ids = batches[i]
        yield group, group.triples[ids]


def fit(model: LinkPredictor, adjacency: RelationalAdjacency,
        train_triples: Union[Tensor, Sequence[TripleGroup]],
        config: TrainingConfig,
        validate: Optional[Callable[[LinkPredictor], float]] = None,
        extra_loss: Optional[ExtraLoss] = None,
        checkpoint_dir: Optional[str] = None,
        resume: bool = False,
        on_epoch: Optional[Callable[[Dict[str, float]], None]] = None,
        sampler: Optional[RelationalNeighborSampler] = None
        ) -> List[Dict[str, float]]:
    r"""Trains ``model`` on ``train_triples`` (ids of ``adjacency``'s
    nodes): a tensor :obj:`[n, 3]` ranked against all nodes, or
    :class:`TripleGroup`\ s, each ranked against its own candidates.

    Every step encodes the whole graph once and scores one batch of triples.
    Every ``eval_every`` epochs ``validate(model)`` (in eval mode, no grad)
    returns the metric to maximise (validation MRR); training stops after
    ``patience`` validations without improvement and the best weights are
    restored. With ``checkpoint_dir``, ``last.pt`` is written atomically every
    ``checkpoint_every`` epochs (the one it replaces is kept as
    ``previous.pt``), and ``resume`` continues from the newest loadable one
    (model, optimizer, epoch, RNG and early-stopping state), ending where an
    uninterrupted run would. Ctrl-C saves the last completed epoch and
    raises :class:`TrainingInterrupted`; a NaN/inf loss raises
    :class:`NonFiniteLossError` and leaves the last good checkpoint.

    Under ``torchrun`` (``WORLD_SIZE`` > 1) it trains data-parallel with the
    same global batch (see
    :class:`~pyg_kgt.training.distributed.DistributedContext`): rank 0
    validates and writes checkpoints, every rank resumes from them.

    Args:
        model (LinkPredictor): The model.
        adjacency (RelationalAdjacency): The message-passing graph.
        train_triples (torch.Tensor or [TripleGroup]): See above.
        config (TrainingConfig): Hyper-parameters.
        validate (callable, optional): See above. Without it, no early
            stopping.
        extra_loss (callable, optional): Added to the task loss per step
            (distillation).
        checkpoint_dir (str, optional): Where ``last.pt`` goes.
        resume (bool): Continue from ``checkpoint_dir/last.pt``.
        on_epoch (callable, optional): Called with each epoch's record.
        sampler (RelationalNeighborSampler, optional): Memory-bounded mode:
            each step encodes only a sampled neighbourhood of the batch's
            heads, tails and negatives (``loss="negative-sampling"``; no
            ``extra_loss``). Validation still encodes the full graph.

    Returns:
        One record per epoch: ``epoch``, ``loss``, ``seconds`` and, when
        validated, ``val_mrr``.
    """
    if sampler is not None and (config.loss != 'negative-sampling' or
                                extra_loss is not None):
        raise ValueError('memory-bounded training (a sampler) needs '
                         "loss='negative-sampling' and no extra_loss")
    apply_process_settings(config)
    context = DistributedContext.from_environment(
        config.distributed_timeout_s)
    groups = ([TripleGroup.create(train_triples, adjacency.num_nodes)]
              if isinstance(train_triples, Tensor) else list(train_triples))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr,
                                 weight_decay=config.weight_decay)
    stopper = EarlyStopping(config.patience)
    history: List[Dict[str, float]] = []
    start_epoch = 1
    state = (load_latest_checkpoint(checkpoint_dir, model, optimizer)
             if resume and checkpoint_dir else None)
    if state is not None:
        start_epoch = state['epoch'] + 1
        history = state['extra'].get('history', [])
        if state['extra'].get('early_stopping'):
            stopper.load_state_dict(state['extra']['early_stopping'])
        if state['extra'].get('stopped'):
            stopper.restore(model)
            return history
    context.broadcast_parameters(model)
    bar = tqdm(range(start_epoch, config.epochs + 1), desc='train',
               disable=not (config.progress and context.is_main))
    snapshot: Dict[str, Dict] = {}
    try:
        _train_epochs(model, adjacency, groups, config, validate, extra_loss,
                      checkpoint_dir if context.is_main else None, on_epoch,
                      sampler, optimizer, stopper, history, bar,
                      lambda state: snapshot.update(state=state), context)
    except KeyboardInterrupt:
        if checkpoint_dir and snapshot and context.is_main:
            path = os.path.join(checkpoint_dir, LAST)
            write_checkpoint(path, snapshot['state'])
            raise TrainingInterrupted(
                f"interrupted; epoch {snapshot['state']['epoch']} is saved in "
                f'{path}'
                f' (continue with resume)') from None
        raise
    optimizer.zero_grad(set_to_none=True)  # release the last gradients
    stopper.restore(model)
    model.eval()
    return history


def _train_epochs(model, adjacency, groups, config, validate, extra_loss,
                  checkpoint_dir, on_epoch, sampler, optimizer, stopper,
                  history, bar, keep_snapshot,
                  context: DistributedContext) -> None:
    stopped = False
    adapt, first = follows_free_cores(config), True
    for epoch in bar:
        if adapt and not first:  # fit's start set them for the first
            follow_free_cores()
        first = False
        model.train()
        began = time.perf_counter()
        total, steps = 0.0, 0
        order = torch.Generator().manual_seed(config.seed * 100003 + epoch)
        for group, batch in _batches(groups, config.batch_size, order):
            optimizer.zero_grad()
            loss = _step_loss(model, adjacency, sampler, context.shard(batch),
                              batch.size(0), group, config, extra_loss,
                              context)
            if loss.requires_grad:
                loss.backward()
            value = context.average_gradients(model.parameters(),
                                              float(loss.detach()))
            if not math.isfinite(value):
                raise NonFiniteLossError(
                    f'loss is {value} at epoch {epoch}; the last good '
                    f'checkpoint (if any) is kept in {checkpoint_dir}')
            optimizer.step()
            total += value
            steps += 1
        record = {'epoch': epoch, 'loss': total / max(steps, 1),
                  'seconds': time.perf_counter() - began}
        if validate is not None and (epoch % config.eval_every == 0 or
                                     epoch == config.epochs):
            model.eval()
            value = None
            if context.is_main:  # one rank validates, all follow its result
                with torch.no_grad():
                    value = float(validate(model))
            record['val_mrr'] = context.broadcast(value)
            stopped = stopper.step(record['val_mrr'], epoch, model)
        history.append(record)
        bar.set_postfix({k: round(v, 4) for k, v in record.items()
                         if k in ('loss', 'val_mrr')})
        if checkpoint_dir and config.checkpoint_every and (
                epoch % config.checkpoint_every == 0 or stopped or
                epoch == config.epochs):
            save_checkpoint(os.path.join(checkpoint_dir, LAST), model,
                            optimizer, epoch, config.to_dict(),
                            {'history': history, 'stopped': stopped,
                             'early_stopping': stopper.state_dict()})
        if checkpoint_dir:
            keep_snapshot(_snapshot(model, optimizer, epoch, config, history,
                                    stopped, stopper))
        if on_epoch is not None:  # after the epoch is safely stored
            on_epoch(record)
        if stopped:
            break


def _step_loss(model, adjacency, sampler, shard: Tensor, batch_size: int,
               group: TripleGroup, config: TrainingConfig, extra_loss,
               context: DistributedContext) -> Tensor:
    r"""This rank's loss of one step: the task loss of its ``shard`` of the
    global batch, scaled so the ranks' mean is the global batch's mean,
    plus the extra loss (each rank computes it whole)."""
    loss = torch.zeros(())
    embeddings = messages = None
    if sampler is not None:
        if shard.numel():
            loss = _sampled_loss(model, sampler, shard, group, config)
    else:
        embeddings, messages = model.encoder(adjacency, return_messages=True)
        if shard.numel():
            loss = link_prediction_loss(model, embeddings, shard, config,
                                        group)
    if context.enabled:
        loss = loss * context.loss_scale(shard.size(0), batch_size)
    if extra_loss is not None:
        loss = loss + extra_loss(model, embeddings, messages, shard)
    return loss


def _snapshot(model, optimizer, epoch, config, history, stopped,
              stopper) -> Dict:
    r"""A deep copy of the checkpoint of ``epoch``, taken at its end, so a
    Ctrl-C later in the next epoch still saves an exact one."""
    return copy.deepcopy(checkpoint_state(
        model, optimizer, epoch, config.to_dict(),
        {'history': history, 'stopped': stopped,
         'early_stopping': stopper.state_dict()}))
