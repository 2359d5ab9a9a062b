"""The embedded default dataset: a seeded synthetic multi-source KG."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from pyg_kgt.data.alignment import AlignmentLinks
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG


def _world_triples(num_entities: int, num_relations: int, cluster_size: int,
                   density: float, generator: torch.Generator) -> Tensor:
    r"""Latent world: entity ``e`` lies in cluster ``e // cluster_size``;
    relation ``r`` maps cluster ``c`` to cluster ``perm_r[c]``, and each
    entity gets an ``r``-fact (probability ``density``) to a random member
    of that cluster. Structure (clusters) is learnable; facts are not
    derivable from structure alone, so seeing them in another KG helps."""
    num_clusters = num_entities // cluster_size
    heads, rels, tails = [], [], []
    entity = torch.arange(num_clusters * cluster_size)
    for r in range(num_relations):
        perm = torch.randperm(num_clusters, generator=generator)
        keep = torch.rand(entity.numel(), generator=generator) < density
        h = entity[keep]
        offset = torch.randint(cluster_size, (h.numel(),),
                               generator=generator)
        heads.append(h)
        rels.append(torch.full_like(h, r))
        tails.append(perm[h // cluster_size] * cluster_size + offset)
    triples = torch.stack([torch.cat(heads), torch.cat(rels),
                           torch.cat(tails)], dim=1)
    return torch.unique(triples[triples[:, 0] != triples[:, 2]], dim=0)


def make_synthetic_multi_source_kg(
        num_entities: int = 2000, num_relations: int = 16,
        cluster_size: int = 8, density: float = 0.5,
        sources: Sequence[str] = ('source1', 'source2', 'source3'),
        target: str = 'target', source_coverage: float = 0.6,
        source_keep: float = 0.7, target_coverage: float = 0.5,
        target_keep: float = 0.3, alignment_train_fraction: float = 0.5,
        seed: int = 0) -> MultiSourceKG:
    r"""Generates several KGs that each see a different, overlapping part of
    one latent world, with partial seed alignment between all pairs.

    Each source KG sees a random ``source_coverage`` fraction of the world's
    entities and keeps each world fact among them with probability
    ``source_keep``; the target sees ``target_coverage`` of the entities and
    keeps only ``target_keep`` of their facts, so it is sparse and its
    missing facts are often present in a source: knowledge transfer
    measurably helps. Each KG's triples are split 80/10/10 (seeded); local
    entity ids are a random permutation so ids do not leak the alignment.
    Alignment pairs between two KGs are their shared world entities, a
    ``alignment_train_fraction`` of them for training, the rest for test.
    All KGs share one relation vocabulary.

    Args:
        num_entities (int): World entities. (default: 2000)
        num_relations (int): World relations. (default: 16)
        cluster_size (int): Entities per latent cluster. (default: 8)
        density (float): Probability that an entity has an ``r``-fact.
            (default: 0.5)
        sources ([str]): Source KG names.
        target (str): Target KG name. (default: ``"target"``)
        source_coverage, source_keep, target_coverage, target_keep (float):
            As above.
        alignment_train_fraction (float): Seed-alignment training fraction.
            (default: 0.5)
        seed (int): Everything is a function of it. (default: 0)
    """
    generator = torch.Generator().manual_seed(seed)
    world = _world_triples(num_entities, num_relations, cluster_size,
                           density, generator)
    relation_names = [f'relation_{r}' for r in range(num_relations)]
    kgs, members = [], {}
    specs = [(n, source_coverage, source_keep) for n in sources]
    specs.append((target, target_coverage, target_keep))
    for name, coverage, keep in specs:
        inside = torch.rand(num_entities, generator=generator) < coverage
        mask = inside[world[:, 0]] & inside[world[:, 2]]
        mask &= torch.rand(world.size(0), generator=generator) < keep
        triples = world[mask]
        world_ids = torch.nonzero(inside).view(-1)
        world_ids = world_ids[torch.randperm(world_ids.numel(),
                                             generator=generator)]
        local = torch.full((num_entities,), -1, dtype=torch.long)
        local[world_ids] = torch.arange(world_ids.numel())
        triples = torch.stack([local[triples[:, 0]], triples[:, 1],
                               local[triples[:, 2]]], dim=1)
        triples = triples[torch.randperm(triples.size(0),
                                         generator=generator)]
        n_train = int(0.8 * triples.size(0))
        n_val = int(0.1 * triples.size(0))
        kgs.append(KnowledgeGraph(
            name, [f'{name}:e{int(i)}' for i in world_ids], relation_names,
            triples[:n_train], triples[n_train:n_train + n_val],
            triples[n_train + n_val:]))
        members[name] = local

    links = []
    names = [spec[0] for spec in specs]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = torch.nonzero((members[a] >= 0) &
                                   (members[b] >= 0)).view(-1)
            shared = shared[torch.randperm(shared.numel(),
                                           generator=generator)]
            pairs = torch.stack([members[a][shared], members[b][shared]], 1)
            cut = int(alignment_train_fraction * pairs.size(0))
            links.append(AlignmentLinks(a, b, pairs[:cut], pairs[cut:]))
    return MultiSourceKG(kgs, links, shared_relations=True)
