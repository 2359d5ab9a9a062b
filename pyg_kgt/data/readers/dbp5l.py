"""Reader for DBP-5L in the KEnS layout."""
from __future__ import annotations

import glob
import os
from typing import List, Optional, Sequence


from pyg_kgt.data.alignment import AlignmentLinks, deduplicate_pairs
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG, SharedRelations
from pyg_kgt.data.readers.lines import read_id_rows, read_names
from pyg_kgt.errors import DataFormatError

ALIGNMENT_SPLITS = ('all', 'kens', 'jmac')


def dbp5l_languages(root: str) -> List[str]:
    r"""Languages with a ``kg/<lang>-train.tsv`` file (not taken from
    ``entity/``, which upstream may hold extra languages without triples)."""
    paths = glob.glob(os.path.join(root, 'kg', '*-train.tsv'))
    if not paths:
        raise DataFormatError(os.path.join(root, 'kg'),
                              'no <lang>-train.tsv file: not a DBP-5L folder')
    return sorted(os.path.basename(p)[:-len('-train.tsv')] for p in paths)


def read_dbp5l(root: str, languages: Optional[Sequence[str]] = None,
               alignment_split: str = 'kens',
               shared_relations: SharedRelations = 'auto') -> MultiSourceKG:
    r"""Reads DBP-5L (KEnS layout) into a :class:`MultiSourceKG`.

    Layout: ``entity/<lang>.tsv`` (one URI per line; line = local id),
    ``relations.txt`` (shared vocabulary), ``kg/<lang>-{train,val,test}.tsv``
    (``head \t relation \t tail`` ids), ``seed_alignlinks/<a>-<b>.tsv`` (ids
    written as floats). CRLF endings are handled.

    Args:
        root (str): The DBP-5L folder.
        languages ([str], optional): Subset of KGs to load (and the
            alignments among them). (default: all)
        alignment_split (str): ``"all"`` uses every seed link for training
            (no alignment test set), the setting of KEnS (``"kens"`` is
            the same) and of LSMGA, IMKGC and DMKGC; ``"jmac"`` uses
            JMAC's 50/50 split in ``jmac_split/seed_{train,test}_pairs``.
            (default: ``"kens"``)
        shared_relations (bool or str): See :class:`MultiSourceKG`; the
            five KGs share ``relations.txt``, so ``"auto"`` keeps its ids.
            (default: ``"auto"``)
    """
    if alignment_split not in ALIGNMENT_SPLITS:
        raise ValueError(f"unknown alignment_split '{alignment_split}' "
                         f'(use one of {ALIGNMENT_SPLITS})')
    available = dbp5l_languages(root)
    languages = list(languages or available)
    missing = sorted(set(languages) - set(available))
    if missing:
        raise DataFormatError(os.path.join(root, 'kg'),
                              f'no triples for language(s) {missing}')
    relations = read_names(os.path.join(root, 'relations.txt'))
    kgs = {}
    for lang in languages:
        # Upstream entity files repeat a few names; ids are line numbers.
        entities = read_names(os.path.join(root, 'entity', f'{lang}.tsv'),
                              unique=False)
        bounds = (len(entities), len(relations), len(entities))
        splits = {
            split: read_id_rows(
                os.path.join(root, 'kg', f'{lang}-{split}.tsv'), 3, bounds,
                ('head id', 'relation id', 'tail id'))
            for split in ('train', 'val', 'test')}
        kgs[lang] = KnowledgeGraph(lang, entities, relations, **splits)

    links = []
    for path in sorted(glob.glob(
            os.path.join(root, 'seed_alignlinks', '*-*.tsv'))):
        a, b = os.path.basename(path)[:-len('.tsv')].split('-', 1)
        if a not in kgs or b not in kgs:
            continue
        bounds = (kgs[a].num_entities, kgs[b].num_entities)
        names = (f'{a} entity id', f'{b} entity id')
        if alignment_split in ('all', 'kens'):
            pairs = read_id_rows(path, 2, bounds, names, allow_float=True)
            train, dups = deduplicate_pairs(pairs)
            links.append(AlignmentLinks(a, b, train, duplicates=dups))
        else:
            split_root = os.path.join(root, 'jmac_split')
            name = os.path.basename(path)
            train, d1 = deduplicate_pairs(read_id_rows(
                os.path.join(split_root, 'seed_train_pairs', name), 2,
                bounds, names, allow_float=True))
            test, d2 = deduplicate_pairs(read_id_rows(
                os.path.join(split_root, 'seed_test_pairs', name), 2, bounds,
                names, allow_float=True))
            links.append(AlignmentLinks(a, b, train, test, d1 + d2))
    return MultiSourceKG([kgs[lang] for lang in languages], links,
                         shared_relations)
