r"""Readers from files on disk to :class:`~pyg_kgt.data.MultiSourceKG`."""
from __future__ import annotations

import os

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


def read_multi_source(path: str, format: str = 'auto',
                      **kwargs) -> MultiSourceKG:
    r"""Reads a dataset folder in one of :data:`FORMATS` (or ``"auto"``)."""
    if format == 'auto':
        format = detect_format(path)
    if format not in FORMATS:
        raise ValueError(f"unknown format '{format}' (use one of {FORMATS} "
                         f"or 'auto')")
    if not os.path.isdir(path):
        raise DataFormatError(path, 'missing folder')
    reader = {'dbp5l': read_dbp5l, 'openea': read_openea,
              'dbp15k': read_gcn_align, 'srprs': read_gcn_align,
              'tsv': read_tsv}[format]
    return reader(path, **kwargs)


__all__ = ['FORMATS', 'detect_format', 'read_multi_source', 'read_dbp5l',
           'read_gcn_align', 'read_openea', 'read_relation_alignment',
           'read_tsv']
