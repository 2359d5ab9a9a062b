"""A trained model of one KG, frozen for evaluation, export and prediction."""
from __future__ import annotations

import difflib
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.artifact import read_artifact, write_artifact
from pyg_kgt.errors import ConfigError
from pyg_kgt.evaluation.link_prediction import DEFAULT_PROTOCOLS
from pyg_kgt.io import atomic_torch_save, atomic_write
from pyg_kgt.models.model_config import ModelConfig
from pyg_kgt.nn.decoders import build_decoder

# 2: ``relation_index`` (KG relation -> decoder relation) replaced
# ``relation_offset``; version 1 folders still load.
FORMAT_VERSION = 2
META_FILE = 'model.json'
EXPORT_FORMATS = ('npy', 'pt', 'tsv')


class TrainedModel:
    r"""What a trained single-KG baseline, student or teacher knows about
    one KG, detached from the graph it was trained on: the final entity
    embeddings :math:`\mathbf{E} \in \mathbb{R}^{N \times d}` (encoder
    output), the decoder :math:`f(\mathbf{h}, r, \mathbf{t})` and the
    entity and relation names. A tail query :math:`(h, r, ?)` scores every
    entity :math:`e` of the KG as :math:`f(\mathbf{E}_h, r, \mathbf{E}_e)`.

    Made by ``from_embeddings`` (``pyg-kgt fit`` / ``retrain`` write one as
    ``model/``), or from a saved teacher by
    :meth:`~pyg_kgt.models.JointTeacher.trained_model`.

    Args:
        kg_name (str): The KG.
        entity_names ([str]): Entity id -> name (``N`` names).
        relation_names ([str]): The KG's relation id -> name.
        embeddings (torch.Tensor): :obj:`[N, d]`.
        model_config (ModelConfig): Gives the decoder type and width.
        decoder_state (dict): The decoder's ``state_dict``.
        num_decoder_relations (int): Relations of the decoder.
        relation_index ([int] or torch.Tensor, optional): KG relation ``r``
            is decoder relation ``relation_index[r]`` (made by
            :class:`~pyg_kgt.data.RelationVocabulary`). (default: the same
            ids)
        info (dict, optional): Provenance kept in ``model.json`` (kind,
            seed, training set-up).
    """

    def __init__(self, kg_name: str, entity_names: Sequence[str],
                 relation_names: Sequence[str], embeddings: Tensor,
                 model_config: ModelConfig, decoder_state: Dict[str, Tensor],
                 num_decoder_relations: int,
                 relation_index: Optional[Sequence[int]] = None,
                 info: Optional[Dict[str, Any]] = None) -> None:
        if embeddings.dim() != 2 or embeddings.size(0) != len(entity_names):
            raise ValueError(f'embeddings must be [{len(entity_names)}, d], '
                             f'got {list(embeddings.shape)}')
        self.kg_name = kg_name
        self.entity_names = list(entity_names)
        self.relation_names = list(relation_names)
        self.embeddings = embeddings.detach().cpu()  # .to() moves it
        self.model_config = model_config
        self.relation_index = (torch.arange(len(self.relation_names))
                               if relation_index is None else
                               torch.as_tensor(relation_index,
                                               dtype=torch.long))
        self.num_decoder_relations = int(num_decoder_relations)
        if self.relation_index.numel() != len(self.relation_names) or (
                self.relation_index.numel() and not 0 <= int(
                    self.relation_index.min()) <= int(
                    self.relation_index.max()) < self.num_decoder_relations):
            raise ValueError(f'relation_index must give each of the '
                             f'{len(self.relation_names)} relations a '
                             f'decoder relation in [0, '
                             f'{self.num_decoder_relations})')
        self.info = dict(info or {})
        self.decoder = build_decoder(model_config.decoder,
                                     self.num_decoder_relations,
                                     model_config.hidden_channels)
        self.decoder.load_state_dict(decoder_state)
        self.decoder.eval()
        self._entity_id = {}
        for i, name in enumerate(self.entity_names):
            self._entity_id.setdefault(name, i)  # a repeated name: first id
        self._relation_id = {n: i for i, n in enumerate(self.relation_names)}

    @classmethod
    def from_embeddings(cls, kg: KnowledgeGraph, embeddings: Tensor,
                        model_config: ModelConfig, decoder,
                        relation_index: Optional[Sequence[int]] = None,
                        info: Optional[Dict[str, Any]] = None
                        ) -> 'TrainedModel':
        r"""From ``kg``'s final entity embeddings :obj:`[N, d]` and the
        trained ``decoder`` (its relation ``relation_index[r]`` is the KG's
        relation ``r``)."""
        return cls(kg.name, kg.entity_names, kg.relation_names, embeddings,
                   model_config, decoder.state_dict(), decoder.num_relations,
                   relation_index, info)

    def to(self, device: torch.device | str) -> 'TrainedModel':
        r"""Moves the embeddings and the decoder to ``device`` (scoring,
        evaluation and prediction run there); returns ``self``."""
        self.embeddings = self.embeddings.to(device)
        self.decoder.to(device)
        self.relation_index = self.relation_index.to(device)
        return self

    # -- scoring --------------------------------------------------------
    def scorer(self):
        r"""A ``scorer(entity, relation, side)`` over this KG's entities
        (relation ids are the KG's own) for
        :func:`~pyg_kgt.evaluation.evaluate_link_prediction`, on the
        model's device."""
        emb, decoder, index = self.embeddings, self.decoder, \
            self.relation_index
        device = emb.device

        def score(entity: Tensor, relation: Tensor, side: str) -> Tensor:
            entity = entity.to(device)
            relation = index[relation.to(device)]
            if side == 'tail':
                return decoder.score_tails(emb[entity], relation, emb)
            return decoder.score_heads(relation, emb[entity], emb)
        return score

    @torch.no_grad()
    def predict(self, entity: str, relation: str, side: str = 'tail',
                k: int = 10, known: Optional[KnowledgeGraph] = None
                ) -> List[Tuple[str, float]]:
        r"""The ``k`` best answers of a query by score, as ``(entity name,
        score)`` pairs, best first (ties: lower id first): tails of
        ``(entity, relation, ?)`` for ``side="tail"``, heads of ``(?,
        relation, entity)`` for ``side="head"``. With ``known`` (this
        model's KG), answers that are training facts of it are left out.

        Raises:
            ConfigError: An unknown entity or relation name (with the
                closest known names), a bad ``side`` or ``k``.
        """
        if side not in ('head', 'tail'):
            raise ConfigError(f"side: use 'head' or 'tail', got {side!r}")
        if k < 1:
            raise ConfigError(f'k: must be >= 1, got {k}')
        e = self._lookup(entity, self._entity_id, 'entity')
        r = self._lookup(relation, self._relation_id, 'relation')
        scores = self.scorer()(torch.tensor([e]), torch.tensor([r]),
                               side)[0]
        if known is not None:
            self.check_matches(known)
            train = known.train
            given, answer = (0, 2) if side == 'tail' else (2, 0)
            hits = (train[:, given] == e) & (train[:, 1] == r)
            scores[train[hits, answer]] = float('-inf')
        k = min(k, int(torch.isfinite(scores).sum()))
        top = torch.topk(scores, k, sorted=True)
        return [(self.entity_names[i], float(s))
                for s, i in zip(top.values.tolist(), top.indices.tolist())]

    def predict_tails(self, head: str, relation: str, k: int = 10
                      ) -> List[Tuple[str, float]]:
        r""":meth:`predict` of ``(head, relation, ?)``."""
        return self.predict(head, relation, 'tail', k)

    def _lookup(self, name: str, ids: Dict[str, int], what: str) -> int:
        if name in ids:
            return ids[name]
        close = difflib.get_close_matches(name, list(ids), n=3)
        hint = f'; closest: {close}' if close else ''
        raise ConfigError(f"unknown {what} '{name}' in KG '{self.kg_name}'"
                          f'{hint}')

    # -- evaluation -----------------------------------------------------
    def check_matches(self, kg: KnowledgeGraph) -> None:
        r"""Raises :class:`ConfigError` unless ``kg`` has this model's
        entity and relation vocabularies (same names, same order)."""
        for what, mine, theirs in (
                ('entities', self.entity_names, kg.entity_names),
                ('relations', self.relation_names, kg.relation_names)):
            if list(mine) != list(theirs):
                raise ConfigError(
                    f"KG '{kg.name}' does not match the model's {what} "
                    f'({len(theirs)} vs {len(mine)}, or in another order); '
                    f'evaluate on the data the model was trained on')

    def evaluate(self, kg: KnowledgeGraph, split: str = 'test',
                 protocols: Sequence[str] = DEFAULT_PROTOCOLS,
                 batch_size: int = 512, progress: bool = False
                 ) -> Dict[str, Any]:
        r"""Link prediction on ``kg``'s ``split`` (filters from every
        split of ``kg``) under each protocol."""
        from pyg_kgt.evaluation.kg_evaluation import evaluate_scorer
        self.check_matches(kg)
        with torch.no_grad():
            return evaluate_scorer(self.scorer(), kg, split, protocols,
                                   batch_size, progress)

    # -- export ---------------------------------------------------------
    def export(self, folder: str, formats: Sequence[str] = EXPORT_FORMATS
               ) -> List[str]:
        r"""Writes the entity and relation embeddings atomically:
        ``npy`` (``entity_embeddings.npy``, ``relation_embeddings.npy``),
        ``pt`` (one ``embeddings.pt`` dict) and ``tsv``
        (``entity_embeddings.tsv``, ``relation_embeddings.tsv``: the name,
        then the values, tab-separated). Returns the written paths."""
        unknown = sorted(set(formats) - set(EXPORT_FORMATS))
        if unknown:
            raise ConfigError(f'export format: unknown {unknown} (use '
                              f'{list(EXPORT_FORMATS)})')
        os.makedirs(folder, exist_ok=True)
        relation = self.decoder.relation_embedding.weight.detach()[
            self.relation_index]
        tables = {'entity': (self.entity_names, self.embeddings),
                  'relation': (self.relation_names, relation)}
        written = []
        for kind, (names, values) in tables.items():
            if 'npy' in formats:
                path = os.path.join(folder, f'{kind}_embeddings.npy')
                atomic_write(path, _npy_bytes(values))
                written.append(path)
            if 'tsv' in formats:
                path = os.path.join(folder, f'{kind}_embeddings.tsv')
                atomic_write(path, _tsv_text(names, values))
                written.append(path)
        if 'pt' in formats:
            path = os.path.join(folder, 'embeddings.pt')
            atomic_torch_save({
                'entity_names': self.entity_names,
                'relation_names': self.relation_names,
                'entity_embeddings': self.embeddings.clone(),
                'relation_embeddings': relation.clone()}, path)
            written.append(path)
        return written

    # -- persistence ----------------------------------------------------
    def save(self, folder: str) -> None:
        r"""Writes the model to ``folder`` (:mod:`pyg_kgt.artifact`;
        ``model.json``)."""
        write_artifact(folder, META_FILE, type(self).__name__,
                       FORMAT_VERSION, {
                           'kg': self.kg_name,
                           'model': self.model_config.to_dict(),
                           'relation_index': self.relation_index.tolist(),
                           'num_decoder_relations':
                               self.num_decoder_relations,
                           'info': self.info},
                       {'entities': self.entity_names,
                        'relations': self.relation_names},
                       {'embeddings': self.embeddings,
                        'decoder': self.decoder.state_dict()})

    @classmethod
    def load(cls, folder: str) -> 'TrainedModel':
        r"""Loads a model written by :meth:`save` (format 1 or 2)."""
        meta, vocab, state, _ = read_artifact(folder, META_FILE,
                                              cls.__name__, FORMAT_VERSION)
        index = meta.get('relation_index')
        if index is None:  # format 1: an offset
            index = [meta['relation_offset'] + r
                     for r in range(len(vocab['relations']))]
        return cls(meta['kg'], vocab['entities'], vocab['relations'],
                   state['embeddings'], ModelConfig.from_dict(meta['model']),
                   state['decoder'], meta['num_decoder_relations'],
                   index, meta.get('info'))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(kg='{self.kg_name}', "
                f'entities={len(self.entity_names)}, '
                f'relations={len(self.relation_names)}, '
                f'decoder={self.model_config.decoder}, '
                f'dim={self.embeddings.size(1)})')


def _npy_bytes(values: Tensor) -> bytes:
    import io
    buffer = io.BytesIO()
    np.save(buffer, values.detach().cpu().numpy())
    return buffer.getvalue()


def _tsv_text(names: Sequence[str], values: Tensor) -> str:
    rows = values.detach().cpu().numpy()
    lines = ['\t'.join([_tsv_safe(name)] + [f'{v:.7g}' for v in row])
             for name, row in zip(names, rows)]
    return '\n'.join(lines) + '\n'


def _tsv_safe(name: str) -> str:
    return name.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ')
