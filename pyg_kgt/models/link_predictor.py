"""Encoder + decoder for link prediction, and the loss it trains with."""
from __future__ import annotations

import math
from typing import Callable, List, Optional

import torch
from torch import Tensor
from torch.nn import Module

from pyg_kgt.nn.conv import RelationalAdjacency, RelationalMessages
from pyg_kgt.nn.decoders import Decoder
from pyg_kgt.nn.encoders import RGCNEncoder
from pyg_kgt.nn.losses import (OneToNCrossEntropyLoss,
                               SelfAdversarialNegativeSamplingLoss)
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.training.neighbor_sampler import RelationalNeighborSampler
from pyg_kgt.training.phases import phase
from pyg_kgt.training.triple_group import TripleGroup

#: ``extra_loss(model, embeddings, messages, batch)`` -> a scalar added to
#: the task loss (the teacher's alignment loss, the student's
#: distillation); ``messages`` holds each encoder layer's
#: :class:`~pyg_kgt.nn.RelationalMessages` (both :obj:`None` in
#: memory-bounded mode).
ExtraLoss = Callable[['LinkPredictor', Optional[Tensor],
                      Optional[List[RelationalMessages]], Tensor], Tensor]


class LinkPredictor(Module):
    r"""An :class:`~pyg_kgt.nn.RGCNEncoder` that embeds every entity and a
    :class:`~pyg_kgt.nn.Decoder` that scores triples with them. The
    single-KG baseline, and the backbone of the teacher and the student.

    It owns its loss, given at construction (:meth:`training_loss`), so
    the fit loop (:func:`~pyg_kgt.training.fit`) needs nothing but a module
    with that method, an optimiser and the data.

    Args:
        encoder (RGCNEncoder): The entity encoder.
        decoder (Decoder): The score function.
        loss (TaskLoss, optional): The task loss. (default:
            ``TaskLoss()``, 1-N cross-entropy)
    """

    def __init__(self, encoder: RGCNEncoder, decoder: Decoder,
                 loss: Optional[TaskLoss] = None) -> None:
        super().__init__()
        if encoder.hidden_channels != decoder.channels:
            raise ValueError(f'encoder width {encoder.hidden_channels} != '
                             f'decoder width {decoder.channels}')
        self.encoder = encoder
        self.decoder = decoder
        self.loss = loss or TaskLoss()

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        self.decoder.reset_parameters()

    def forward(self, adjacency: RelationalAdjacency) -> Tensor:
        r"""Entity embeddings :obj:`[N, d]`."""
        return self.encoder(adjacency)

    # -- training -------------------------------------------------------
    def training_loss(self, adjacency: Optional[RelationalAdjacency],
                      batch: Tensor, group: TripleGroup,
                      task_weight: float = 1.0,
                      sampler: Optional[RelationalNeighborSampler] = None,
                      extra_loss: Optional[ExtraLoss] = None) -> Tensor:
        r"""The loss of one step,

        .. math::
            \mathcal{L} = w\, \mathcal{L}_{\textrm{task}}(\textrm{batch}) +
            \mathcal{L}_{\textrm{extra}},

        the task loss of ``batch`` :obj:`[B, 3]` (node ids; ranked against
        ``group``'s candidates) as :attr:`loss` says
        (:meth:`one_to_n_loss` or :meth:`negative_sampling_loss`, the
        latter on the batch's sampled neighbourhood when a ``sampler`` is
        given), weighted by ``task_weight`` (a data-parallel rank's share),
        plus ``extra_loss`` (:data:`ExtraLoss`: the teacher's alignment
        loss, the student's distillation). An empty batch gives a zero
        that still reaches every parameter (a rank with no triples takes
        part in the gradient reduction)."""
        loss = self.loss
        embeddings = messages = None
        if sampler is not None:
            if loss.kind != 'negative-sampling' or extra_loss is not None:
                raise ValueError("memory-bounded training (a sampler) needs "
                                 "loss='negative-sampling' and no extra "
                                 'loss')
            task = (self._sampled_loss(sampler, batch, group)
                    if batch.numel() else None)
        else:
            with phase('encoder'):
                embeddings, messages = self.encoder(adjacency,
                                                    return_messages=True)
            task = None
            if batch.numel():
                with phase('task_loss'):
                    task = (self.one_to_n_loss(embeddings, batch, group,
                                               loss.label_smoothing,
                                               loss.num_candidates)
                            if loss.kind == '1-n' else
                            self.negative_sampling_loss(
                                embeddings, batch,
                                group.corrupt(batch, loss.num_negatives)))
        if task is None:
            task = sum(p.sum() for p in self.parameters()) * 0.0
        total = task * task_weight if task_weight != 1.0 else task
        if extra_loss is not None:
            with phase('extra_loss'):
                total = total + extra_loss(self, embeddings, messages, batch)
        return total

    def one_to_n_loss(self, embeddings: Tensor, batch: Tensor,
                      group: TripleGroup, label_smoothing: float,
                      num_candidates: Optional[int] = None,
                      tail_candidates: Optional[Tensor] = None) -> Tensor:
        r"""1-N cross-entropy (:class:`~pyg_kgt.nn.OneToNCrossEntropyLoss`)
        of the true tail among ``group``'s candidate tails and of the true
        head among its candidate heads, the mean of both.

        With ``num_candidates`` :math:`K` below the group's :math:`N`
        candidates, each direction is a sampled softmax instead: the true
        answer against :math:`K` candidates drawn uniformly (with
        replacement, shared by the batch), their logits shifted by
        :math:`\log(N / K)`, the correction that makes the sample stand
        for all :math:`N` (Jean et al., ACL 2015),

        .. math::
            \mathcal{L} = \textrm{CE}\big([\,s(h, r, t),\;
            s(h, r, c_1) + \log\tfrac{N}{K}, \dots,
            s(h, r, c_K) + \log\tfrac{N}{K}\,],\; 0\big),

        so a step scores :math:`B (K + 1)` pairs instead of :math:`B N`.
        ``tail_candidates`` :obj:`[B, k]` (candidate ids, ``-1`` for none)
        adds per-triple tails to the sampled branch, scored unshifted
        after the true tail (a ``-1`` is replaced by a uniform draw); a
        student's teacher candidates
        (:class:`~pyg_kgt.models.student.teacher_candidates.
        TeacherCandidates`)."""
        h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
        loss_fn = OneToNCrossEntropyLoss(label_smoothing)
        if (num_candidates is not None and
                num_candidates < group.candidates.numel()):
            return self._sampled_one_to_n(embeddings, h, r, t, group,
                                          num_candidates, loss_fn,
                                          tail_candidates)
        pool = embeddings[group.candidates]
        tails = self.decoder.score_tails(embeddings[h], r, pool)
        heads = self.decoder.score_heads(r, embeddings[t], pool)
        return (loss_fn(tails, group.position[t]) +
                loss_fn(heads, group.position[h])) / 2

    def _sampled_one_to_n(self, embeddings: Tensor, h: Tensor, r: Tensor,
                          t: Tensor, group: TripleGroup, k: int,
                          loss_fn: Module,
                          extra: Optional[Tensor] = None) -> Tensor:
        r"""The sampled-softmax branch of :meth:`one_to_n_loss`."""
        n = group.candidates.numel()
        pool = embeddings[group.candidates[torch.randint(
            n, (k,), device=h.device)]]
        shift = math.log(n / k)
        head, tail = embeddings[h], embeddings[t]
        positive = self.decoder(head, r, tail)[:, None]
        zero = torch.zeros_like(h)
        columns = [positive]
        if extra is not None and extra.size(1):
            drawn = group.candidates[torch.randint(n, extra.shape,
                                                   device=h.device)]
            extra = torch.where(extra >= 0, extra, drawn)
            columns.append(self.decoder(
                head[:, None].expand(-1, extra.size(1), -1),
                r[:, None].expand(-1, extra.size(1)), embeddings[extra]))
        tails = torch.cat(columns + [self.decoder.score_tails(
            head, r, pool) + shift], dim=1)
        heads = torch.cat([positive, self.decoder.score_heads(
            r, tail, pool) + shift], dim=1)
        return (loss_fn(tails, zero) + loss_fn(heads, zero)) / 2

    def negative_sampling_loss(self, embeddings: Tensor, batch: Tensor,
                               negatives: Tensor) -> Tensor:
        r"""Self-adversarial negative sampling loss
        (:class:`~pyg_kgt.nn.SelfAdversarialNegativeSamplingLoss`) of
        ``batch`` :obj:`[B, 3]` against ``negatives`` :obj:`[B, k, 2]`
        (ids index ``embeddings``)."""
        h, r, t = batch[:, 0], batch[:, 1], batch[:, 2]
        k = negatives.size(1)
        positive = self.decoder(embeddings[h], r, embeddings[t])
        negative = self.decoder(embeddings[negatives[..., 0]],
                                r[:, None].expand(-1, k),
                                embeddings[negatives[..., 1]])
        loss_fn = SelfAdversarialNegativeSamplingLoss(
            self.loss.margin, self.loss.adversarial_temperature)
        return loss_fn(positive, negative)

    def _sampled_loss(self, sampler: RelationalNeighborSampler,
                      batch: Tensor, group: TripleGroup) -> Tensor:
        r"""Negative sampling loss on the sampled neighbourhood of the
        batch's heads, tails and negatives (sampled on the CPU: one
        host round trip per step in this mode)."""
        negatives = group.corrupt(batch, self.loss.num_negatives)
        seeds = torch.unique(torch.cat([batch[:, 0], batch[:, 2],
                                        negatives.reshape(-1)]))
        sub = sampler.sample(seeds.cpu())  # the sampler works on the CPU
        device = batch.device
        nodes, local = sub.nodes.to(device), sub.local.to(device)
        embeddings = self.encoder(sub.adjacency.to(device),
                                  x=self.encoder.embedding(nodes))
        batch = torch.stack([local[batch[:, 0]], batch[:, 1],
                             local[batch[:, 2]]], dim=1)
        return self.negative_sampling_loss(embeddings, batch,
                                           local[negatives])

    # -- scoring --------------------------------------------------------
    def scorer(self, embeddings: Tensor, candidates: Optional[Tensor] = None,
               slice_size: Optional[int] = None):
        r"""A ``scorer(entity, relation, side)`` for
        :func:`~pyg_kgt.evaluation.evaluate_link_prediction`: scores every
        entity (or the ``candidates`` ids, e.g. one KG's entities inside a
        larger graph) as tail or head, on the embeddings' device."""
        pool = embeddings if candidates is None else embeddings[candidates]
        device = embeddings.device

        def score(entity: Tensor, relation: Tensor, side: str) -> Tensor:
            entity, relation = entity.to(device), relation.to(device)
            if side == 'tail':
                return self.decoder.score_tails(embeddings[entity], relation,
                                                pool, slice_size)
            return self.decoder.score_heads(relation, embeddings[entity],
                                            pool, slice_size)
        return score

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(encoder={self.encoder}, '
                f'decoder={self.decoder}, loss={self.loss.kind})')
