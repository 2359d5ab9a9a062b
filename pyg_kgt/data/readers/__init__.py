r"""Readers from files on disk to :class:`~pyg_kgt.data.MultiSourceKG`."""
from __future__ import annotations

import os
from typing import Optional

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.readers.dbp5l import read_dbp5l
from pyg_kgt.data.readers.gcn_align import read_gcn_align
from pyg_kgt.data.readers.openea import read_openea
from pyg_kgt.data.readers.tsv import read_relation_alignment, read_tsv
from pyg_kgt.errors import DataFormatError

FORMATS = ('dbp5l', 'openea', 'dbp15k', 'srprs', 'tsv')


def detect_format(path: str) -> str:
    r"""Guesses the layout of a dataset folder from the files it holds."""
    if not os.path.isdir(path):
        raise DataFormatError(path, 'missing folder')
    if os.path.isdir(os.path.join(path, 'kg')) and os.path.isfile(
            os.path.join(path, 'relations.txt')):
        return 'dbp5l'
    if os.path.isfile(os.path.join(path, 'rel_triples_1')):
        return 'openea'
    if os.path.isfile(os.path.join(path, 'ent_ids_1')):
        return 'srprs' if os.path.isfile(
            os.path.join(path, 'sup_ent_ids')) else 'dbp15k'
    return 'tsv'


#: Seed alignment settings every format knows: ``given`` keeps the
#: dataset's train/test split of the pairs, ``all`` trains on every pair
#: (the field's setting; no entity-alignment evaluation is left). DBP-5L
#: also knows ``kens`` (= ``all``) and ``jmac`` (JMAC's 50/50 split).
ALIGNMENT_SPLITS = ('given', 'all')


def read_multi_source(path: str, format: str = 'auto',
                      alignment_split: Optional[str] = None,
                      **kwargs) -> MultiSourceKG:
    r"""Reads a dataset folder in one of :data:`FORMATS` (or ``"auto"``).

    Args:
        alignment_split (str, optional): One of :data:`ALIGNMENT_SPLITS`,
            or for DBP-5L one of
            :data:`~pyg_kgt.data.readers.dbp5l.ALIGNMENT_SPLITS`.
            (default: the dataset's own split; DBP-5L: every seed link)
    """
    if format == 'auto':
        format = detect_format(path)
    if format not in FORMATS:
        raise ValueError(f"unknown format '{format}' (use one of {FORMATS} "
                         f"or 'auto')")
    if not os.path.isdir(path):
        raise DataFormatError(path, 'missing folder')
    if format == 'dbp5l':
        if alignment_split is not None:
            kwargs['alignment_split'] = alignment_split
        return read_dbp5l(path, **kwargs)
    if alignment_split not in (None, *ALIGNMENT_SPLITS):
        raise ValueError(f"unknown alignment_split '{alignment_split}' for "
                         f"format '{format}' (use one of "
                         f'{ALIGNMENT_SPLITS})')
    reader = {'openea': read_openea, 'dbp15k': read_gcn_align,
              'srprs': read_gcn_align, 'tsv': read_tsv}[format]
    kg = reader(path, **kwargs)
    return kg.with_all_alignments() if alignment_split == 'all' else kg


__all__ = ['FORMATS', 'ALIGNMENT_SPLITS', 'detect_format',
           'read_multi_source', 'read_dbp5l',
           'read_gcn_align', 'read_openea', 'read_relation_alignment',
           'read_tsv']
