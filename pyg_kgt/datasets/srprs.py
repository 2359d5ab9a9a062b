"""The SRPRS (RSN 15K V1) entity alignment datasets."""
from __future__ import annotations

import os
import os.path as osp
from typing import Callable, List, Optional

from torch_geometric.data import download_url

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.readers.gcn_align import read_gcn_align
from pyg_kgt.datasets.multi_source_dataset import MultiSourceDataset

PAIRS = {'dbp_wd_15k_V1': ('dbp', 'wd'), 'dbp_yg_15k_V1': ('dbp', 'yg'),
         'en_fr_15k_V1': ('en', 'fr'), 'en_de_15k_V1': ('en', 'de')}


class SRPRS(MultiSourceDataset):
    r"""SRPRS (Guo et al., ICML 2019): DBpedia-Wikidata, DBpedia-YAGO3,
    EN-FR and EN-DE DBpedia, 15K entities per KG; relations are namespaced
    per KG; the shipped 4,500 / 10,500 train / test link split is kept.

    .. list-table::
        :header-rows: 1

        * - dataset
          - #relations KG1 / KG2
          - #triples KG1 / KG2
          - #links (train / test)
        * - dbp_wd_15k_V1
          - 253 / 144
          - 38,421 / 40,159
          - 4,500 / 10,500
        * - dbp_yg_15k_V1
          - 223 / 30
          - 33,748 / 36,569
          - 4,500 / 10,500
        * - en_fr_15k_V1
          - 221 / 177
          - 36,508 / 33,532
          - 4,500 / 10,500
        * - en_de_15k_V1
          - 222 / 120
          - 38,363 / 37,377
          - 4,500 / 10,500

    Args:
        root (str): Root folder (raw files in ``root/<name>/raw``).
        name (str): One of the four dataset names above.
        transform, pre_transform, force_reload: As in PyG.
    """
    url = ('https://raw.githubusercontent.com/DexterZeng/CEA/'
           'dfdc53e2c4073fbcb9d23bad3dde7a798fe0d81a/data')

    def __init__(self, root: str, name: str = 'dbp_wd_15k_V1',
                 transform: Optional[Callable] = None,
                 pre_transform: Optional[Callable] = None,
                 force_reload: bool = False) -> None:
        if name not in PAIRS:
            raise ValueError(f"unknown SRPRS dataset '{name}' (use one of "
                             f'{sorted(PAIRS)})')
        self.name = name
        super().__init__(osp.join(root, name), transform, pre_transform,
                         force_reload)

    @property
    def raw_file_names(self) -> List[str]:
        return ['ent_ids_1', 'ent_ids_2', 'rel_ids_1', 'rel_ids_2',
                'triples_1', 'triples_2', 'ref_ent_ids', 'sup_ent_ids']

    def download(self) -> None:
        for file in self.raw_file_names:
            # CEA renamed Wikidata ids to DBpedia names (leaking alignment);
            # the original file is kept upstream as ent_ids_2_old.
            remote = ('ent_ids_2_old' if self.name == 'dbp_wd_15k_V1' and
                      file == 'ent_ids_2' else file)
            path = download_url(f'{self.url}/{self.name}/{remote}',
                                self.raw_dir)
            if remote != file:

                os.replace(path, osp.join(self.raw_dir, file))

    def read_raw(self) -> MultiSourceKG:
        return read_gcn_align(self.raw_dir, PAIRS[self.name])
