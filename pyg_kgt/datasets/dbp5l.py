"""The DBP-5L dataset."""
from __future__ import annotations

import os.path as osp
from typing import Callable, List, Optional

from torch_geometric.data import download_url

from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.readers.dbp5l import read_dbp5l
from pyg_kgt.datasets.multi_source_dataset import MultiSourceDataset

LANGUAGES = ('el', 'en', 'es', 'fr', 'ja')


class DBP5L(MultiSourceDataset):
    r"""DBP-5L, multilingual DBpedia KG completion (Chen et al., Findings of
    EMNLP 2020, "Multilingual Knowledge Graph Completion via Ensemble
    Knowledge Transfer"), in the KEnS layout; one shared relation vocabulary.

    .. list-table::
        :header-rows: 1

        * - KG
          - #entities
          - #relations used
          - #train
          - #val
          - #test
        * - el
          - 5,231
          - 160
          - 8,670
          - 4,152
          - 1,017
        * - en
          - 13,996
          - 861
          - 48,652
          - 24,051
          - 7,464
        * - es
          - 12,381
          - 241
          - 33,036
          - 16,220
          - 4,810
        * - fr
          - 13,176
          - 236
          - 30,139
          - 14,705
          - 4,171
        * - ja
          - 11,805
          - 172
          - 17,979
          - 8,633
          - 2,162

    Seed alignment: 37,723 rows over all 10 pairs (``alignment_split="kens"``,
    all for training) or JMAC's 50/50 train/test split (``"jmac"``).

    Args:
        root (str): Root folder (raw files in ``root/raw``).
        alignment_split (str): ``"kens"`` or ``"jmac"``. (default: ``"kens"``)
        transform, pre_transform, force_reload: As in PyG.
    """
    url = ('https://raw.githubusercontent.com/stasl0217/KEnS/'
           '36de8a5fb64bf6d239dc7c878f33ef9dff5c4644/data')
    jmac_url = ('https://raw.githubusercontent.com/vinhsuhi/JMAC/'
                '224658650b2bc9c29264d235093c1a2384f3985c/datasetdbp5l')

    def __init__(self, root: str, alignment_split: str = 'kens',
                 transform: Optional[Callable] = None,
                 pre_transform: Optional[Callable] = None,
                 force_reload: bool = False) -> None:
        self.alignment_split = alignment_split
        super().__init__(root, transform, pre_transform, force_reload)

    @property
    def processed_dir(self) -> str:
        return osp.join(self.root, f'processed_{self.alignment_split}')

    @property
    def raw_file_names(self) -> List[str]:
        files = ['relations.txt']
        files += [f'entity/{lang}.tsv' for lang in LANGUAGES]
        files += [f'kg/{lang}-{split}.tsv' for lang in LANGUAGES
                  for split in ('train', 'val', 'test')]
        files += [f'seed_alignlinks/{name}' for name in _pair_files()]
        if self.alignment_split == 'jmac':
            files += [f'jmac_split/seed_{s}_pairs/{name}'
                      for s in ('train', 'test') for name in _pair_files()]
        return files

    def download(self) -> None:
        for name in self.raw_file_names:
            base = self.jmac_url if name.startswith('jmac_split') else (
                self.url)
            remote = name.replace('jmac_split/', '')
            download_url(f'{base}/{remote}',
                         osp.join(self.raw_dir, osp.dirname(name)))

    def read_raw(self) -> MultiSourceKG:
        return read_dbp5l(self.raw_dir, alignment_split=self.alignment_split)


def _pair_files() -> List[str]:
    return ['el-en.tsv', 'el-es.tsv', 'el-fr.tsv', 'el-ja.tsv', 'en-fr.tsv',
            'es-en.tsv', 'es-fr.tsv', 'ja-en.tsv', 'ja-es.tsv', 'ja-fr.tsv']
