"""Generic readers for triples and alignments given by name in TSV files."""
from __future__ import annotations

import glob
import os
import warnings
from typing import (AbstractSet, Dict, Iterator, List, Optional, Sequence,
                    Tuple)

import torch
from torch import Tensor

from pyg_kgt.data.alignment import AlignmentLinks, deduplicate_pairs
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG, SharedRelations
from pyg_kgt.data.readers.lines import read_rows
from pyg_kgt.errors import DataFormatError, DataWarning

SPLIT_FILES = {
    'train': ('train.tsv', 'train.txt'),
    'val': ('val.tsv', 'valid.tsv', 'val.txt', 'valid.txt'),
    'test': ('test.tsv', 'test.txt'),
}


# Words a header row is made of (compared lower-case, without '#', '_', ' ').
TRIPLE_HEADER = frozenset({
    'head', 'relation', 'tail', 'h', 'r', 't', 'subject', 'predicate',
    'object', 's', 'p', 'o', 'subj', 'pred', 'obj', 'rel', 'headid',
    'relationid', 'tailid', 'headentity', 'tailentity', 'source', 'target'})
ALIGNMENT_HEADER = frozenset({
    'source', 'target', 'left', 'right', 'entity1', 'entity2', 'kg1', 'kg2',
    'e1', 'e2', 'id1', 'id2', 'name1', 'name2', 'relation1', 'relation2',
    'sourceentity', 'targetentity', 'sourcerelation', 'targetrelation'})


def _is_header(fields: Sequence[str], words: AbstractSet[str]) -> bool:
    return all(f.lower().lstrip('#').replace('_', '').replace(' ', '')
               in words for f in fields)


def _data_rows(path: str, num_columns: int, header_words: AbstractSet[str]
               ) -> Iterator[Tuple[int, List[str]]]:
    r"""The rows of a by-name TSV file; a first row made only of header
    words (``head relation tail``, ``source target``, ...) is skipped with
    a warning naming the file and line, instead of loading as data."""
    first = True
    for line, fields in read_rows(path, num_columns):
        if first and _is_header(fields, header_words):
            warnings.warn(f'{path}:{line}: skipped header line '
                          f"{' '.join(fields)!r}", DataWarning)
            first = False
            continue
        first = False
        yield line, fields


def _column_order(columns: str) -> List[int]:
    if sorted(columns) != ['h', 'r', 't']:
        raise ValueError(f"columns must be a permutation of 'hrt', got "
                         f"'{columns}'")
    return [columns.index(c) for c in 'hrt']


def read_named_kg(name: str, paths: Dict[str, Optional[str]],
                  columns: str = 'hrt') -> KnowledgeGraph:
    r"""Reads one KG whose triples are written by name, one file per split.

    Entity and relation ids are assigned in order of first appearance
    (training file first), so they are stable for the same files.

    Args:
        name (str): The KG name.
        paths ({str: str}): ``train`` (required), ``val``, ``test`` files.
        columns (str): Column order, a permutation of ``"hrt"``.
            (default: ``"hrt"``)
    """
    order = _column_order(columns)
    entities: Dict[str, int] = {}
    relations: Dict[str, int] = {}
    splits: Dict[str, Tensor] = {}
    for split in ('train', 'val', 'test'):
        path = paths.get(split)
        if path is None:
            if split == 'train':
                raise ValueError(f"KG '{name}' has no training file")
            continue
        rows = []
        for _, fields in _data_rows(path, 3, TRIPLE_HEADER):
            h, r, t = (fields[i] for i in order)
            rows.append((entities.setdefault(h, len(entities)),
                         relations.setdefault(r, len(relations)),
                         entities.setdefault(t, len(entities))))
        splits[split] = torch.tensor(rows, dtype=torch.long).view(-1, 3)
    return KnowledgeGraph(name, list(entities), list(relations), **splits)


def read_named_links(path: str, kg1: KnowledgeGraph,
                     kg2: KnowledgeGraph) -> Tensor:
    r"""Reads ``name1 \t name2`` alignment rows into id pairs :obj:`[n, 2]`;
    a name unknown to its KG is an error naming file and line."""
    pairs = []
    words = ALIGNMENT_HEADER | {kg1.name.lower(), kg2.name.lower()}
    for line, (a, b) in _data_rows(path, 2, words):
        ids = []
        for value, kg in ((a, kg1), (b, kg2)):
            if value not in kg.entity_to_id:
                raise DataFormatError(path, f"alignment to unknown entity "
                                      f"{value!r} of KG '{kg.name}'", line)
            ids.append(kg.entity_to_id[value])
        pairs.append(ids)
    return torch.tensor(pairs, dtype=torch.long).view(-1, 2)


def read_relation_alignment(path: str) -> Dict[str, str]:
    r"""Reads a relation alignment: ``name in one graph \t name in the
    reference graph`` per line (e.g. the target KG's relation, then the
    teacher's), for :meth:`~pyg_kgt.data.RelationVocabulary.map`. A header
    line is skipped with a note; a repeated left-hand name is an error
    naming its line."""
    aliases: Dict[str, str] = {}
    first: Dict[str, int] = {}
    for line, (name, reference) in _data_rows(path, 2, ALIGNMENT_HEADER):
        if name in aliases:
            raise DataFormatError(path, f'relation {name!r} is aligned '
                                  f'twice (first on line {first[name]})',
                                  line)
        aliases[name], first[name] = reference, line
    return aliases


def _split_paths(folder: str) -> Dict[str, Optional[str]]:
    paths: Dict[str, Optional[str]] = {}
    for split, candidates in SPLIT_FILES.items():
        found = [os.path.join(folder, c) for c in candidates
                 if os.path.isfile(os.path.join(folder, c))]
        paths[split] = found[0] if found else None
    return paths


def read_tsv(root: str, columns: str = 'hrt',
             shared_relations: SharedRelations = 'auto') -> MultiSourceKG:
    r"""Reads KGs (and alignments) given by name from a folder of TSV files.

    Two layouts are accepted:

    * one KG: ``root/{train,val|valid,test}.{tsv,txt}``;
    * several KGs: ``root/<kg>/{train,val,test}.tsv`` per KG plus alignment
      files ``root/alignments/<a>-<b>.tsv`` (all pairs for training) or
      ``<a>-<b>-train.tsv`` / ``<a>-<b>-test.tsv`` (a split), each row
      ``name in a \t name in b``.

    Args:
        root (str): The folder.
        columns (str): Column order of triple files. (default: ``"hrt"``)
        shared_relations (bool or str): Relations with the same name in
            several KGs share one id (see :class:`MultiSourceKG`).
            (default: ``"auto"``)

    The format is described in full in the documentation's data page.
    """
    if not os.path.isdir(root):
        raise DataFormatError(root, 'missing folder')
    single = _split_paths(root)
    if single['train'] is not None:
        name = os.path.basename(os.path.normpath(root))
        return MultiSourceKG([read_named_kg(name, single, columns)])
    kgs = {}
    for folder in sorted(glob.glob(os.path.join(root, '*', ''))):
        name = os.path.basename(os.path.normpath(folder))
        paths = _split_paths(folder)
        if name != 'alignments' and paths['train'] is not None:
            kgs[name] = read_named_kg(name, paths, columns)
    if not kgs:
        raise DataFormatError(root, 'no train.tsv (or train.txt) found, '
                              'neither here nor in sub-folders')
    return MultiSourceKG(list(kgs.values()),
                         _read_alignment_folder(root, kgs), shared_relations)


def _read_alignment_folder(root: str, kgs: Dict[str, KnowledgeGraph]
                           ) -> List[AlignmentLinks]:
    found: Dict[tuple, Dict[str, Tensor]] = {}
    for path in sorted(glob.glob(os.path.join(root, 'alignments', '*.tsv'))):
        stem = os.path.basename(path)[:-len('.tsv')]
        split = 'train'
        for suffix in ('-train', '-test'):
            if stem.endswith(suffix):
                stem, split = stem[:-len(suffix)], suffix[1:]
        a, sep, b = stem.partition('-')
        if not sep or a not in kgs or b not in kgs:
            raise DataFormatError(path, f'alignment file name must be '
                                  f'<a>-<b>[-train|-test].tsv with KGs in '
                                  f'{sorted(kgs)}')
        found.setdefault((a, b), {})[split] = read_named_links(
            path, kgs[a], kgs[b])
    links = []
    for (a, b), parts in found.items():
        train, d1 = deduplicate_pairs(parts.get(
            'train', torch.empty(0, 2, dtype=torch.long)))
        test, d2 = deduplicate_pairs(parts.get(
            'test', torch.empty(0, 2, dtype=torch.long)))
        links.append(AlignmentLinks(a, b, train, test, d1 + d2))
    return links
