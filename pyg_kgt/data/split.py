"""Seeded link-prediction splits, e.g. of an entity-alignment pair."""
from __future__ import annotations

import os
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor

from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.io import atomic_write


def split_triples(kg: KnowledgeGraph, fractions: Sequence[float] = (
        0.8, 0.1, 0.1), seed: int = 0) -> Tuple[KnowledgeGraph,
                                                Dict[str, int]]:
    r"""Splits all of ``kg``'s triples into train/val/test at random.

    Duplicate triples are kept once. A val/test triple whose head or tail
    never occurs in the training part is moved back to training (a model
    cannot rank an entity it never saw), so val and test may come out a
    little smaller than asked; the counts say by how much.

    Args:
        kg (KnowledgeGraph): The graph (its existing split is ignored).
        fractions ((float, float, float)): Train, val, test; they must sum
            to 1. (default: ``(0.8, 0.1, 0.1)``)
        seed (int): Seed of the permutation. (default: 0)

    Returns:
        The split graph (same vocabularies) and counts: ``train``, ``val``,
        ``test``, ``moved_to_train`` and ``duplicates_dropped``.
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(
            sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f'fractions must be three non-negative numbers '
                         f'summing to 1, got {list(fractions)}')
    everything = kg.all_triples()
    triples = torch.unique(everything, dim=0)
    generator = torch.Generator().manual_seed(seed)
    triples = triples[torch.randperm(triples.size(0), generator=generator)]
    num_train = int(round(fractions[0] * triples.size(0)))
    num_val = int(round(fractions[1] * triples.size(0)))
    train = triples[:num_train]
    held = {'val': triples[num_train:num_train + num_val],
            'test': triples[num_train + num_val:]}
    seen = torch.zeros(kg.num_entities, dtype=torch.bool)
    seen[train[:, [0, 2]].reshape(-1)] = True
    moved = []
    for name, rows in held.items():
        ok = seen[rows[:, 0]] & seen[rows[:, 2]]
        moved.append(rows[~ok])
        held[name] = rows[ok]
    train = torch.cat([train, *moved])
    split = KnowledgeGraph(kg.name, kg.entity_names, kg.relation_names,
                           train, held['val'], held['test'])
    counts = {'train': int(train.size(0)), 'val': int(held['val'].size(0)),
              'test': int(held['test'].size(0)),
              'moved_to_train': int(sum(m.size(0) for m in moved)),
              'duplicates_dropped': int(everything.size(0) -
                                        triples.size(0))}
    return split, counts


def split_multi_source(kg: MultiSourceKG, fractions: Sequence[float] = (
        0.8, 0.1, 0.1), seed: int = 0) -> Tuple[MultiSourceKG,
                                                Dict[str, Dict[str, int]]]:
    r""":func:`split_triples` on every KG of ``kg`` (seeds ``seed``,
    ``seed + 1``, ... in KG order); alignments and the relation space are
    kept. Returns the split KGs and the counts per KG."""
    kgs, counts = [], {}
    for i, name in enumerate(kg.names):
        split, counts[name] = split_triples(kg[name], fractions, seed + i)
        kgs.append(split)
    return MultiSourceKG(kgs, kg.alignments.values(),
                         'auto' if kg.shared_relations else False), counts


def _check_name(kind: str, name: str) -> str:
    if any(c in name for c in '\t\r\n'):
        raise ValueError(f'{kind} name {name!r} holds a tab or line break; '
                         f'it cannot be written to TSV')
    return name


def write_tsv(kg: MultiSourceKG, root: str) -> Dict[str, int]:
    r"""Writes ``kg`` in the own-TSV layout that
    :func:`~pyg_kgt.data.readers.read_tsv` reads (one folder per KG with
    ``train.tsv``/``val.tsv``/``test.tsv`` of names, and
    ``alignments/<a>-<b>-train.tsv`` / ``-test.tsv``), every file written
    atomically; empty files are left out. Entities exist in that layout
    only through triples, so alignment pairs with an entity in no triple
    are left out and counted.

    Returns:
        ``{relative path: rows}`` of every file written, and
        ``alignment_pairs_dropped``.
    """
    written: Dict[str, int] = {}

    def write(path: str, rows) -> None:
        lines = ['\t'.join(row) + '\n' for row in rows]
        if lines:
            atomic_write(path, ''.join(lines))
            written[os.path.relpath(path, root)] = len(lines)

    for name in kg.names:
        graph = kg[name]
        entities = [_check_name('entity', e) for e in graph.entity_names]
        relations = [_check_name('relation', r)
                     for r in graph.relation_names]
        for split in ('train', 'val', 'test'):
            rows = graph.triples(split).tolist()
            write(os.path.join(root, name, f'{split}.tsv'),
                  ((entities[h], relations[r], entities[t])
                   for h, r, t in rows))
    dropped = 0
    for (a, b), links in kg.alignments.items():
        for split in ('train', 'test'):
            pairs: Tensor = getattr(links, split)
            keep = _in_triples(kg[a])[pairs[:, 0]] & _in_triples(kg[b])[
                pairs[:, 1]]
            dropped += int((~keep).sum())
            pairs = pairs[keep]
            write(os.path.join(root, 'alignments', f'{a}-{b}-{split}.tsv'),
                  ((kg[a].entity_names[i], kg[b].entity_names[j])
                   for i, j in pairs.tolist()))
    written['alignment_pairs_dropped'] = dropped
    return written


def _in_triples(kg: KnowledgeGraph) -> Tensor:
    present = torch.zeros(kg.num_entities, dtype=torch.bool)
    present[kg.all_triples()[:, [0, 2]].reshape(-1)] = True
    return present
