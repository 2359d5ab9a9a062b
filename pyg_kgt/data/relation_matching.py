"""Relations matched between two KGs by the facts their aligned entities
share, for graphs that name their relations differently."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor
from torch_geometric.utils.sparse import index2ptr

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.io import atomic_write

#: Default thresholds; their tables were checked by hand on SRPRS
#: DBpedia-Wikidata and DBpedia-YAGO (docs, benchmarks page).
MIN_SUPPORT = 3
MIN_CONFIDENCE = 0.5
#: Added to each confidence's denominator: of two perfect matches, the one
#: seen on more pairs ranks first (15 of 15 over 4 of 4).
SMOOTHING = 1.0


@dataclass(frozen=True)
class RelationMatch:
    r"""One inferred correspondence between a target and a source relation.

    Attributes:
        target (str): The target relation's name.
        source_kg (str): The source KG.
        source (str): The source relation's name.
        inverse (bool): :obj:`True` when :math:`(h, r_t, t)` corresponds to
            :math:`(t, r_s, h)`.
        support (int): Aligned entity pairs joined by both relations.
        target_confidence (float): How often :math:`r_t \Rightarrow r_s`
            (see :func:`infer_relation_alignment`).
        source_confidence (float): How often :math:`r_s \Rightarrow r_t`.
    """
    target: str
    source_kg: str
    source: str
    inverse: bool
    support: int
    target_confidence: float
    source_confidence: float

    @property
    def confidence(self) -> float:
        r"""Harmonic mean of the two confidences: high only when each
        relation implies the other."""
        a, b = self.target_confidence, self.source_confidence
        return 2 * a * b / (a + b) if a + b > 0 else 0.0


def _aligned_pairs(kg: MultiSourceKG, source: str, to_target: Tensor
                   ) -> Tensor:
    r"""The source's training facts with both ends aligned, in target ids
    :obj:`[m, 3]` (head, source relation, tail)."""
    facts = kg[source].train
    heads, tails = to_target[facts[:, 0]], to_target[facts[:, 2]]
    keep = (heads >= 0) & (tails >= 0)
    return torch.stack([heads[keep], facts[keep, 1], tails[keep]], dim=1)


def _join_count(left_key: Tensor, left_rel: Tensor, right_key: Tensor,
                right_rel: Tensor, num_left: int, num_right: int) -> Tensor:
    r"""``[R_l, R_r]`` how many (left row, right row) pairs share a key,
    per pair of their relations: an equi-join, vectorised with a CSR index
    over the right side (rows are expected distinct)."""
    keys, key_id = torch.unique(torch.cat([left_key, right_key]),
                                return_inverse=True)
    n = left_key.numel()
    order = torch.argsort(key_id[n:], stable=True)
    right_id, right_rel = key_id[n:][order], right_rel[order]
    ptr = index2ptr(right_id.contiguous(), keys.numel())
    left_id = key_id[:n]
    count = ptr[left_id + 1] - ptr[left_id]
    row = torch.repeat_interleave(torch.arange(n), count)
    first = torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
    matched = right_rel[ptr[left_id][row] + torch.arange(row.numel())
                        - first]
    return torch.bincount(left_rel[row] * num_right + matched,
                          minlength=num_left * num_right).view(
                              num_left, num_right).float()


def _statistics(target_facts: Tensor, source_facts: Tensor,
                num_target: int, num_source: int, num_entities: int
                ) -> Tuple[Tensor, Tensor, Tensor]:
    r"""Support and the two PCA denominators, each ``[R_t, R_s]``: shared
    pairs; target pairs of :math:`r_t` whose head has some :math:`r_s`
    fact in the source; source pairs of :math:`r_s` whose head has some
    :math:`r_t` fact in the target."""
    t = torch.unique(target_facts, dim=0)
    s = torch.unique(source_facts, dim=0)
    t_pair = t[:, 0] * num_entities + t[:, 2]
    s_pair = s[:, 0] * num_entities + s[:, 2]
    support = _join_count(t_pair, t[:, 1], s_pair, s[:, 1], num_target,
                          num_source)
    t_head = torch.unique(t[:, :2], dim=0)
    s_head = torch.unique(s[:, :2], dim=0)
    target_known = _join_count(t[:, 0], t[:, 1], s_head[:, 0], s_head[:, 1],
                               num_target, num_source)
    source_known = _join_count(t_head[:, 0], t_head[:, 1], s[:, 0], s[:, 1],
                               num_target, num_source)
    return support, target_known, source_known


def infer_relation_alignment(kg: MultiSourceKG, target: str,
                             sources: Sequence[str],
                             min_support: int = MIN_SUPPORT,
                             min_confidence: float = MIN_CONFIDENCE
                             ) -> List[RelationMatch]:
    r"""Infers which source relations mean a target relation (or its
    inverse) from the seed entity alignment.

    With :math:`A` the aligned entity pairs, a target relation :math:`r_t`
    and a source relation :math:`r_s` (its facts read in target ids
    through :math:`A`), over entity pairs :math:`(h, t)` whose two ends
    are aligned:

    .. math::
        \mathrm{supp}(r_t, r_s) = |\{(h, t) : (h, r_t, t) \in T,
        (h, r_s, t) \in S\}|, \quad
        c_t = \frac{\mathrm{supp}}{|\{(h, t) : (h, r_t, t) \in T,
        \exists t'\, (h, r_s, t') \in S\}|}, \quad
        c_s = \frac{\mathrm{supp}}{|\{(h, t) : (h, r_s, t) \in S,
        \exists t'\, (h, r_t, t') \in T\}|}

    (confidences under the partial completeness assumption of AMIE,
    Galárraga et al., WWW 2013: a fact one graph lacks counts against a
    match only where that graph knows the relation of the head at all, so
    a sparse target still supports its matches), and the same with
    :math:`(t, r_s, h)` for the inverse. A pair is kept
    when :math:`\mathrm{supp} \geq` ``min_support`` and the harmonic mean
    of :math:`c_t` and :math:`c_s` is at least ``min_confidence``; one
    relation may match several (a coarse relation and its finer ones).
    Only training facts are read; validation and test facts never.

    Args:
        kg (MultiSourceKG): The target, the sources and their alignments.
        target (str): The target KG.
        sources ([str]): Source KGs (those not aligned to the target are
            skipped).
        min_support (int): Fewest shared aligned pairs. (default: 3)
        min_confidence (float): Least harmonic mean of the two
            confidences. (default: 0.5)

    Returns:
        The matches, best first per target relation.
    """
    graph = kg[target]
    matches: List[RelationMatch] = []
    for source in sources:
        links = kg.links(target, source)
        if links is None or not links.train.numel():
            continue
        to_target = torch.full((kg[source].num_entities,), -1,
                               dtype=torch.long)
        to_target[links.train[:, 1]] = links.train[:, 0]
        aligned = torch.zeros(graph.num_entities, dtype=torch.bool)
        aligned[links.train[:, 0]] = True
        facts = graph.train
        target_facts = facts[aligned[facts[:, 0]] & aligned[facts[:, 2]]]
        source_facts = _aligned_pairs(kg, source, to_target)
        if not target_facts.numel() or not source_facts.numel():
            continue
        num_t, num_s = graph.num_relations, kg[source].num_relations
        for inverse in (False, True):
            flipped = source_facts[:, [2, 1, 0]] if inverse else source_facts
            support, known_t, known_s = _statistics(
                target_facts, flipped, num_t, num_s, graph.num_entities)
            conf_t = support / (known_t + SMOOTHING)
            conf_s = support / (known_s + SMOOTHING)
            harmonic = 2 * conf_t * conf_s / (conf_t + conf_s).clamp(
                min=1e-12)
            keep = (support >= min_support) & (harmonic >= min_confidence)
            for r_t, r_s in torch.nonzero(keep).tolist():
                matches.append(RelationMatch(
                    graph.relation_names[r_t], source,
                    kg[source].relation_names[r_s], inverse,
                    int(support[r_t, r_s]), float(conf_t[r_t, r_s]),
                    float(conf_s[r_t, r_s])))
    order = {name: i for i, name in enumerate(graph.relation_names)}
    return sorted(matches, key=lambda m: (order[m.target], -m.confidence))


def relation_aliases(matches: Sequence[RelationMatch],
                     known: Optional[Sequence[str]] = None
                     ) -> Dict[str, str]:
    r"""Target name -> source name of each target relation's best direct
    (not inverse) match, for the by-name mapping
    (:meth:`~pyg_kgt.data.RelationVocabulary.map`); relations whose name
    is in ``known`` (e.g. the teacher's) keep their own name."""
    known = set(known or ())
    aliases: Dict[str, str] = {}
    for match in matches:  # best first per target relation
        if not match.inverse and match.target not in known:
            aliases.setdefault(match.target, match.source)
    return aliases


HEADER = ('target_relation', 'source_kg', 'source_relation', 'inverse',
          'support', 'target_confidence', 'source_confidence', 'confidence')


def write_relation_matches(matches: Sequence[RelationMatch],
                           path: str) -> str:
    r"""Writes the inferred table as TSV (one match a row, with
    :data:`HEADER`), atomically; returns ``path``."""
    rows = ['\t'.join(HEADER)] + ['\t'.join([
        m.target, m.source_kg, m.source, str(m.inverse).lower(),
        str(m.support), f'{m.target_confidence:.4f}',
        f'{m.source_confidence:.4f}', f'{m.confidence:.4f}'])
        for m in matches]
    atomic_write(path, '\n'.join(rows) + '\n')
    return path


def read_relation_matches(path: str) -> List[RelationMatch]:
    r"""Reads a table written by :func:`write_relation_matches`."""
    with open(path, encoding='utf-8', newline='') as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    return [RelationMatch(r['target_relation'], r['source_kg'],
                          r['source_relation'], r['inverse'] == 'true',
                          int(r['support']), float(r['target_confidence']),
                          float(r['source_confidence'])) for r in rows]
