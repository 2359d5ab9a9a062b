"""Reader for the GCN-Align / RSN layout (DBP15K, SRPRS)."""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from pyg_kgt.data.alignment import AlignmentLinks, deduplicate_pairs
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG, SharedRelations
from pyg_kgt.data.readers.lines import parse_id, read_rows
from pyg_kgt.errors import DataFormatError


def _read_id_names(path: str) -> Dict[int, str]:
    names: Dict[int, str] = {}
    for line, (raw_id, name) in read_rows(path, 2):
        key = parse_id(path, line, raw_id, 'id')
        if key in names:
            raise DataFormatError(path, f'duplicate id {key}', line)
        names[key] = name
    return names


def _read_kg(root: str, side: int, name: str) -> Tuple[KnowledgeGraph,
                                                        Dict[int, int]]:
    ent_path = os.path.join(root, f'ent_ids_{side}')
    entities = _read_id_names(ent_path)
    entity_index = {key: i for i, key in enumerate(entities)}
    rel_path = os.path.join(root, f'rel_ids_{side}')
    relation_names = (_read_id_names(rel_path)
                      if os.path.isfile(rel_path) else None)
    triple_path = os.path.join(root, f'triples_{side}')
    rows: List[Tuple[int, int, int]] = []
    relation_index: Dict[int, int] = ({
        key: i for i, key in enumerate(relation_names)}
        if relation_names is not None else {})
    for line, fields in read_rows(triple_path, 3):
        h, r, t = (parse_id(triple_path, line, v, what) for v, what in zip(
            fields, ('head id', 'relation id', 'tail id')))
        for value in (h, t):
            if value not in entity_index:
                raise DataFormatError(triple_path, f'entity id {value} is '
                                      f'not listed in {ent_path}', line)
        if r not in relation_index:
            if relation_names is not None:
                raise DataFormatError(triple_path, f'relation id {r} is not '
                                      f'listed in {rel_path}', line)
            relation_index[r] = len(relation_index)
        rows.append((entity_index[h], relation_index[r], entity_index[t]))
    if relation_names is None:
        relations = [f'rel_{key}' for key in relation_index]
    else:
        relations = list(relation_names.values())
    kg = KnowledgeGraph(name, list(entities.values()), relations,
                        torch.tensor(rows, dtype=torch.long).view(-1, 3))
    return kg, entity_index


def _read_links(path: str, index1: Dict[int, int],
                index2: Dict[int, int]) -> torch.Tensor:
    pairs = []
    for line, (a, b) in read_rows(path, 2):
        ids = []
        for value, index, side in ((a, index1, 1), (b, index2, 2)):
            key = parse_id(path, line, value, f'KG{side} entity id')
            if key not in index:
                raise DataFormatError(path, f'alignment to unknown KG{side} '
                                      f'entity {key}', line)
            ids.append(index[key])
        pairs.append(ids)
    return torch.tensor(pairs, dtype=torch.long).view(-1, 2)


def read_gcn_align(root: str, names: Optional[Sequence[str]] = None,
                   train_fraction: float = 0.3, seed: int = 0,
                   shared_relations: SharedRelations = 'auto'
                   ) -> MultiSourceKG:
    r"""Reads one pair of the GCN-Align / RSN layout (DBP15K, SRPRS).

    Files: ``ent_ids_{1,2}`` (``id \t URI``, one shared non-contiguous id
    space, re-indexed to contiguous local ids in file order),
    ``triples_{1,2}``, optional ``rel_ids_{1,2}``, ``ref_ent_ids`` (all gold
    links) and optional ``sup_ent_ids`` (training links; SRPRS). Relations
    named in ``rel_ids_*`` by the same URI in both KGs are shared (see
    :class:`MultiSourceKG`); without ``rel_ids_*`` they are named
    ``rel_<id>`` (the two KGs' ids are disjoint). All triples are training
    triples (alignment data has no KGC split; ``pyg-kgt split`` makes one).

    Args:
        root (str): The pair folder, e.g. ``dbp15k/ja_en``.
        names ((str, str), optional): KG names; by default taken from the
            folder name (``ja_en`` -> ``ja``, ``en``) or ``kg1``, ``kg2``.
        train_fraction (float): Without ``sup_ent_ids``, the fraction of gold
            links drawn (seeded) for training. (default: 0.3)
        seed (int): Seed of that split. (default: 0)
        shared_relations (bool or str): See :class:`MultiSourceKG`.
            (default: ``"auto"``)
    """
    if names is None:
        parts = os.path.basename(os.path.normpath(root)).split('_')
        names = parts[:2] if len(parts) >= 2 and parts[0] != parts[1] else (
            'kg1', 'kg2')
    kg1, index1 = _read_kg(root, 1, names[0])
    kg2, index2 = _read_kg(root, 2, names[1])
    ref = _read_links(os.path.join(root, 'ref_ent_ids'), index1, index2)
    ref, dups = deduplicate_pairs(ref)
    sup_path = os.path.join(root, 'sup_ent_ids')
    if os.path.isfile(sup_path):
        train, _ = deduplicate_pairs(_read_links(sup_path, index1, index2))
        # Test links are the gold links not used for training.
        width = kg2.num_entities
        test = ref[~torch.isin(ref[:, 0] * width + ref[:, 1],
                               train[:, 0] * width + train[:, 1])]
    else:
        generator = torch.Generator().manual_seed(seed)
        perm = torch.randperm(ref.size(0), generator=generator)
        cut = int(round(train_fraction * ref.size(0)))
        train, test = ref[perm[:cut]], ref[perm[cut:]]
    return MultiSourceKG([kg1, kg2], [AlignmentLinks(
        names[0], names[1], train, test, dups)], shared_relations)
