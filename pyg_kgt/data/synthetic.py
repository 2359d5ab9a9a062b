"""The embedded default dataset: a seeded synthetic multi-source KG."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from pyg_kgt.data.alignment import AlignmentLinks
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG


def _value_sampler(num_values: int, skew: float,
                   generator: torch.Generator):
    r"""Draws value entities, uniformly (``skew=0``) or with Zipf weights
    :math:`p(v) \propto (v + 1)^{-\text{skew}}`, so that a few values are
    hubs (a brand, a category or a country that most facts point to).
    Uniform draws use :func:`torch.randint`, so the embedded dataset is the
    same as before skew existed."""
    weights = torch.arange(1, num_values + 1, dtype=torch.float).pow(-skew)

    def draw(size: int) -> Tensor:
        if skew == 0:
            return torch.randint(num_values, (size,), generator=generator)
        return torch.multinomial(weights, size, replacement=True,
                                 generator=generator)
    return draw


def _world_triples(num_entities: int, num_values: int, num_relations: int,
                   num_types: int, density: float, noise: float,
                   generator: torch.Generator, value_skew: float = 0.0
                   ) -> Tensor:
    r"""Latent world: instance ``e`` (ids ``[0, num_entities)``) has a latent
    type ``c(e)``; relation ``r`` maps each type to one value entity
    ``g_r(c)`` (ids ``[num_entities, num_entities + num_values)``), like
    ``country`` or ``genre``. Each instance has an ``r``-fact with
    probability ``density``, whose tail is ``g_r(c(e))``, or with
    probability ``noise`` a random value. An entity's type shows in its other
    facts, so missing facts are inferable, and better inferred the more of
    its facts a model sees (e.g. through an aligned entity in another KG).
    With ``value_skew > 0``, values (and the noise tails) are drawn with
    Zipf weights, so in-degrees are heavy-tailed."""
    draw_value = _value_sampler(num_values, value_skew, generator)
    types = torch.randint(num_types, (num_entities,), generator=generator)
    heads, rels, tails = [], [], []
    for r in range(num_relations):
        mapping = num_entities + draw_value(num_types)
        h = torch.nonzero(torch.rand(num_entities, generator=generator) <
                          density).view(-1)
        t = mapping[types[h]]
        flip = torch.rand(h.numel(), generator=generator) < noise
        t[flip] = num_entities + draw_value(int(flip.sum()))
        heads.append(h)
        rels.append(torch.full_like(h, r))
        tails.append(t)
    return torch.stack([torch.cat(heads), torch.cat(rels), torch.cat(tails)],
                       dim=1)


def make_synthetic_multi_source_kg(
        num_entities: int = 2000, num_values: int = 100,
        num_relations: int = 16, num_types: int = 40, density: float = 0.5,
        noise: float = 0.1,
        sources: Sequence[str] = ('source1', 'source2', 'source3'),
        target: str = 'target', source_coverage: float = 0.6,
        source_keep: float = 0.7, target_coverage: float = 0.5,
        target_keep: float = 0.3, alignment_train_fraction: float = 0.5,
        value_skew: float = 0.0, seed: int = 0) -> MultiSourceKG:
    r"""Generates several KGs that each see a different, overlapping part of
    one latent world, with partial seed alignment between all pairs.

    Each source KG sees every value entity and a random ``source_coverage``
    fraction of the world's instances, and keeps each world fact among them
    with probability ``source_keep``; the target sees ``target_coverage`` of
    the instances and keeps only ``target_keep`` of their facts, so it is
    sparse and its missing facts are often present in a source: knowledge
    transfer measurably helps. Each KG's triples are split 80/10/10
    (seeded); local entity ids are a random permutation so ids do not leak
    the alignment.
    Alignment pairs between two KGs are their shared world entities, a
    ``alignment_train_fraction`` of them for training, the rest for test.
    All KGs share one relation vocabulary.

    Args:
        num_entities (int): World instances. (default: 2000)
        num_values (int): World value entities (tails). (default: 100)
        num_relations (int): World relations. (default: 16)
        num_types (int): Latent instance types. (default: 40)
        density (float): Probability that an instance has an ``r``-fact.
            (default: 0.5)
        noise (float): Probability that a fact's tail is random.
            (default: 0.1)
        sources ([str]): Source KG names.
        target (str): Target KG name. (default: ``"target"``)
        source_coverage, source_keep, target_coverage, target_keep (float):
            As above.
        alignment_train_fraction (float): Seed-alignment training fraction.
            (default: 0.5)
        value_skew (float): Zipf exponent of the value entities' popularity;
            ``0`` draws them uniformly, ``1`` or more makes hubs.
            (default: 0.0)
        seed (int): Everything is a function of it. (default: 0)
    """
    generator = torch.Generator().manual_seed(seed)
    world = _world_triples(num_entities, num_values, num_relations,
                           num_types, density, noise, generator, value_skew)
    total = num_entities + num_values
    relation_names = [f'relation_{r}' for r in range(num_relations)]
    kgs, members = [], {}
    specs = [(n, source_coverage, source_keep) for n in sources]
    specs.append((target, target_coverage, target_keep))
    for name, coverage, keep in specs:
        inside = torch.ones(total, dtype=torch.bool)
        inside[:num_entities] = torch.rand(
            num_entities, generator=generator) < coverage
        mask = inside[world[:, 0]] & inside[world[:, 2]]
        mask &= torch.rand(world.size(0), generator=generator) < keep
        triples = world[mask]
        world_ids = torch.nonzero(inside).view(-1)
        world_ids = world_ids[torch.randperm(world_ids.numel(),
                                             generator=generator)]
        local = torch.full((total,), -1, dtype=torch.long)
        local[world_ids] = torch.arange(world_ids.numel())
        triples = torch.stack([local[triples[:, 0]], triples[:, 1],
                               local[triples[:, 2]]], dim=1)
        triples = triples[torch.randperm(triples.size(0),
                                         generator=generator)]
        n_train = int(0.8 * triples.size(0))
        n_val = int(0.1 * triples.size(0))
        kgs.append(KnowledgeGraph(
            name, [_entity_name(name, int(i), num_entities)
                   for i in world_ids], relation_names,
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


def _entity_name(kg: str, world_id: int, num_entities: int) -> str:
    if world_id < num_entities:
        return f'{kg}:e{world_id}'
    return f'{kg}:v{world_id - num_entities}'


def make_product_multi_source_kg(num_markets: int = 5, seed: int = 0
                                 ) -> MultiSourceKG:
    r"""A multi-source KG of product-graph shape: ``num_markets`` market KGs
    (the last is the target) that share 21 relation types, with
    heavy-tailed in-degrees (Zipf-distributed brands, categories and other
    values, a few of them hubs with thousands of facts).

    With the default five markets, the joint teacher graph has about 75k
    nodes, 490k message edges (max in-degree about 3,400) and 43 relation
    types with inverses and ``same_as``: the shape on which a per-relation message loop runs out of
    relations to amortise and hubs dominate the aggregation. Used by the
    encoder benchmarks and tests; every market is as dense as a source.

    Args:
        num_markets (int): KGs, at least 2. (default: 5)
        seed (int): Everything is a function of it. (default: 0)
    """
    if num_markets < 2:
        raise ValueError(f'num_markets must be at least 2, got {num_markets}')
    names = [f'market{i + 1}' for i in range(num_markets)]
    return make_synthetic_multi_source_kg(
        num_entities=6 * 4000 * num_markets // 5, num_values=3000,
        num_relations=21, num_types=400, density=0.36, noise=0.1,
        sources=names[:-1], target=names[-1], source_coverage=0.5,
        source_keep=0.6, target_coverage=0.5, target_keep=0.6,
        alignment_train_fraction=0.3, value_skew=0.9, seed=seed)
