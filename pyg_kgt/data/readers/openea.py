"""Reader for the OpenEA benchmark layout."""
from __future__ import annotations

import os
from typing import Sequence

import torch

from pyg_kgt.data.alignment import AlignmentLinks, deduplicate_pairs
from pyg_kgt.data.multi_source_kg import MultiSourceKG, SharedRelations
from pyg_kgt.data.readers.tsv import read_named_kg, read_named_links
from pyg_kgt.errors import DataFormatError


def read_openea(root: str, fold: int = 1,
                names: Sequence[str] = ('kg1', 'kg2'),
                shared_relations: SharedRelations = 'auto'
                ) -> MultiSourceKG:
    r"""Reads an OpenEA dataset folder into a :class:`MultiSourceKG`.

    Layout: ``rel_triples_1`` / ``rel_triples_2`` (``head \t relation \t
    tail`` by name), ``ent_links`` (``name1 \t name2``) and
    ``721_5fold/<k>/{train,valid,test}_links``. Training alignment pairs are
    the fold's ``train_links``; its ``valid_links`` and ``test_links`` form
    the test pairs. Without the fold folder, all ``ent_links`` are training
    pairs. Relations with the same name in both KGs are shared (see
    :class:`MultiSourceKG`).

    Args:
        root (str): The dataset folder (e.g. ``D_W_15K_V1``).
        fold (int): Which of the 5 folds. (default: 1)
        names ((str, str)): KG names. (default: ``("kg1", "kg2")``)
        shared_relations (bool or str): See :class:`MultiSourceKG`.
            (default: ``"auto"``)
    """
    kgs = [read_named_kg(name, {'train': os.path.join(root,
                                                      f'rel_triples_{i}')})
           for i, name in enumerate(names, start=1)]
    fold_dir = os.path.join(root, '721_5fold', str(fold))
    if os.path.isdir(fold_dir):
        train = read_named_links(os.path.join(fold_dir, 'train_links'),
                                 *kgs)
        test = [read_named_links(os.path.join(fold_dir, f'{s}_links'), *kgs)
                for s in ('valid', 'test')]
        test_pairs = torch.cat(test, dim=0)
    else:
        path = os.path.join(root, 'ent_links')
        if not os.path.isfile(path):
            raise DataFormatError(path, 'missing file (and no 721_5fold/)')
        train = read_named_links(path, *kgs)
        test_pairs = train[:0]
    train, d1 = deduplicate_pairs(train)
    test_pairs, d2 = deduplicate_pairs(test_pairs)
    return MultiSourceKG(kgs, [AlignmentLinks(names[0], names[1], train,
                                              test_pairs, d1 + d2)],
                         shared_relations)
