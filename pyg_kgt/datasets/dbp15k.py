"""The DBP15K dataset (relation triples)."""
from __future__ import annotations

import os.path as osp
from typing import Callable, List, Optional

from torch_geometric.data import download_url

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.readers.gcn_align import read_gcn_align
from pyg_kgt.datasets.multi_source_dataset import MultiSourceDataset


class DBP15K(MultiSourceDataset):
    r"""DBP15K cross-lingual entity alignment (Sun et al., ISWC 2017), the
    GCN-Align release; relations are namespaced per KG.

    .. list-table::
        :header-rows: 1

        * - pair
          - #entities KG1 / KG2
          - #relations
          - #triples
          - #links
        * - zh_en
          - 19,388 / 19,572
          - 1,701 / 1,323
          - 70,414 / 95,142
          - 15,000
        * - ja_en
          - 19,814 / 19,780
          - 1,299 / 1,153
          - 77,214 / 93,484
          - 15,000
        * - fr_en
          - 19,661 / 19,993
          - 903 / 1,208
          - 105,998 / 115,722
          - 15,000

    No split ships with the links; a seeded ``train_fraction`` of them is
    drawn for training (the common 30%).

    Args:
        root (str): Root folder (raw files in ``root/<pair>/raw``).
        pair (str): ``"zh_en"``, ``"ja_en"`` or ``"fr_en"``.
        train_fraction (float): Seed alignment fraction. (default: 0.3)
        seed (int): Seed of the split. (default: 0)
        transform, pre_transform, force_reload: As in PyG.
    """
    url = ('https://raw.githubusercontent.com/1049451037/GCN-Align/'
           '4fc90c438e5a609b96df03daff170fbcf03fde94/data')
    pairs = ('zh_en', 'ja_en', 'fr_en')

    def __init__(self, root: str, pair: str = 'ja_en',
                 train_fraction: float = 0.3, seed: int = 0,
                 transform: Optional[Callable] = None,
                 pre_transform: Optional[Callable] = None,
                 force_reload: bool = False) -> None:
        if pair not in self.pairs:
            raise ValueError(f"unknown pair '{pair}' (use one of "
                             f'{self.pairs})')
        self.pair, self.train_fraction, self.seed = pair, train_fraction, seed
        super().__init__(osp.join(root, pair), transform, pre_transform,
                         force_reload)

    @property
    def processed_dir(self) -> str:
        return osp.join(self.root,
                        f'processed_{self.train_fraction}_{self.seed}')

    @property
    def raw_file_names(self) -> List[str]:
        return ['ent_ids_1', 'ent_ids_2', 'triples_1', 'triples_2',
                'ref_ent_ids']

    def download(self) -> None:
        for name in self.raw_file_names:
            download_url(f'{self.url}/{self.pair}/{name}', self.raw_dir)

    def read_raw(self) -> MultiSourceKG:
        return read_gcn_align(self.raw_dir, self.pair.split('_'),
                              self.train_fraction, self.seed)
