"""Base class of the multi-source KG datasets (infrastructure)."""
from __future__ import annotations

import os.path as osp
from typing import Callable, List, Optional

from torch_geometric.data import HeteroData, InMemoryDataset

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.io import atomic_torch_save, atomic_write_tsv, safe_torch_load


class MultiSourceDataset(InMemoryDataset):
    r"""A :class:`~torch_geometric.data.InMemoryDataset` holding one
    :class:`~torch_geometric.data.HeteroData` made by
    :meth:`~pyg_kgt.data.MultiSourceKG.to_hetero_data`.

    Subclasses set :attr:`raw_file_names`, :meth:`download` and
    :meth:`read_raw`. Processing also writes ``<kg>/entity_to_id.tsv`` and
    ``relation_to_id.tsv`` into :attr:`processed_dir` so embeddings map back
    to names. The processed file is loaded with ``weights_only=True``.

    Args:
        root (str): Root folder; raw files live in ``root/raw``.
        transform, pre_transform (callable, optional): As in PyG.
        force_reload (bool): Re-process even if processed files exist.
            (default: :obj:`False`)
    """

    def __init__(self, root: str, transform: Optional[Callable] = None,
                 pre_transform: Optional[Callable] = None,
                 force_reload: bool = False) -> None:
        super().__init__(root, transform, pre_transform,
                         force_reload=force_reload)
        self.load(self.processed_paths[0], data_cls=HeteroData)

    @property
    def processed_file_names(self) -> List[str]:
        return ['data.pt', 'relation_to_id.tsv']

    def read_raw(self) -> MultiSourceKG:
        raise NotImplementedError

    def to_multi_source_kg(self) -> MultiSourceKG:
        r"""The :class:`MultiSourceKG` (with vocabularies) of the raw files."""
        return self.read_raw()

    def process(self) -> None:
        kg = self.read_raw()
        data = kg.to_hetero_data()
        if self.pre_transform is not None:
            data = self.pre_transform(data)
        for name, graph in kg.kgs.items():
            atomic_write_tsv(enumerate(graph.entity_names), osp.join(
                self.processed_dir, name, 'entity_to_id.tsv'),
                header=('id', 'name'))
        atomic_write_tsv(enumerate(kg.relation_names), osp.join(
            self.processed_dir, 'relation_to_id.tsv'), header=('id', 'name'))
        data_dict, slices = self.collate([data])
        atomic_torch_save((data_dict.to_dict(), slices),
                          self.processed_paths[0])

    def load(self, path: str, data_cls=HeteroData) -> None:
        data, self.slices = safe_torch_load(path)
        self.data = data_cls.from_dict(data)
