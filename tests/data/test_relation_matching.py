import pytest
import torch

from pyg_kgt.data import AlignmentLinks, KnowledgeGraph, MultiSourceKG
from pyg_kgt.data.relation_matching import (infer_relation_alignment,
                                            read_relation_matches,
                                            relation_aliases,
                                            write_relation_matches)


def permuted_pair(seed: int = 0, num_entities: int = 60,
                  num_relations: int = 6, aligned: float = 0.8):
    r"""A source KG and a target that restates its facts with every
    relation renamed (a seeded permutation; the last relation's facts are
    written reversed, as an inverse), with a seeded share of the entities
    aligned and a few noise facts on each side."""
    gen = torch.Generator().manual_seed(seed)
    facts = torch.stack([
        torch.randint(0, num_entities, (400,), generator=gen),
        torch.randint(0, num_relations, (400,), generator=gen),
        torch.randint(0, num_entities, (400,), generator=gen)], dim=1)
    source = KnowledgeGraph('src', [f's{i}' for i in range(num_entities)],
                            [f'source_rel_{i}' for i in range(num_relations)],
                            facts)
    perm = torch.randperm(num_relations, generator=gen)
    restated = torch.stack([facts[:, 0], perm[facts[:, 1]], facts[:, 2]],
                           dim=1)
    last = facts[:, 1] == num_relations - 1
    restated[last] = restated[last][:, [2, 1, 0]]
    noise = torch.stack([
        torch.randint(0, num_entities, (40,), generator=gen),
        torch.randint(0, num_relations, (40,), generator=gen),
        torch.randint(0, num_entities, (40,), generator=gen)], dim=1)
    target = KnowledgeGraph(
        'tgt', [f't{i}' for i in range(num_entities)],
        [f'target_rel_{i}' for i in range(num_relations)],
        torch.cat([restated, noise]))
    keep = torch.randperm(num_entities, generator=gen)[
        :int(aligned * num_entities)]
    links = AlignmentLinks('tgt', 'src', torch.stack([keep, keep], dim=1))
    truth = {f'target_rel_{int(perm[i])}': f'source_rel_{i}'
             for i in range(num_relations)}
    return MultiSourceKG([target, source], [links]), truth


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_inferred_map_recovers_permuted_relation_names(seed):
    kg, truth = permuted_pair(seed)
    matches = infer_relation_alignment(kg, 'tgt', ['src'])
    best = {}
    for match in matches:
        best.setdefault(match.target, match)
    assert {t: m.source for t, m in best.items()} == truth
    # The reversed relation is found as an inverse, every other as direct.
    inverse = {t for t, m in best.items() if m.inverse}
    assert inverse == {t for t, s in truth.items()
                       if s == 'source_rel_5'}
    assert all(m.confidence > 0.8 and m.support >= 3
               for m in best.values())
    # Aliases map the direct ones only (a name cannot say "inverse"), and
    # never rename a relation the teacher knows by its own name.
    aliases = relation_aliases(matches)
    assert aliases == {t: s for t, s in truth.items() if t not in inverse}
    known = next(iter(aliases))
    assert known not in relation_aliases(matches, known=[known])


def test_thresholds_and_unaligned_sources():
    kg, _ = permuted_pair(0, aligned=0.1)
    # 6 aligned entities: too few shared pairs to support anything.
    assert infer_relation_alignment(kg, 'tgt', ['src'], min_support=3) == []
    kg, _ = permuted_pair(0)
    assert infer_relation_alignment(kg, 'tgt', ['src'],
                                    min_confidence=1.01) == []
    lone = MultiSourceKG([kg['tgt'], kg['src']])  # no alignment at all
    assert infer_relation_alignment(lone, 'tgt', ['src']) == []


def test_table_round_trips_through_tsv(tmp_path):
    kg, _ = permuted_pair(0)
    matches = infer_relation_alignment(kg, 'tgt', ['src'])
    path = write_relation_matches(matches, str(tmp_path / 'rel.tsv'))
    back = read_relation_matches(path)
    assert [(m.target, m.source, m.inverse, m.support) for m in back] == [
        (m.target, m.source, m.inverse, m.support) for m in matches]
    assert back[0].confidence == pytest.approx(matches[0].confidence,
                                               abs=1e-3)
