r"""PyG datasets (``InMemoryDataset``) for multi-source KG benchmarks."""
from pyg_kgt.datasets.dbp5l import DBP5L
from pyg_kgt.datasets.dbp15k import DBP15K
from pyg_kgt.datasets.multi_source_dataset import MultiSourceDataset
from pyg_kgt.datasets.srprs import SRPRS

__all__ = ['DBP5L', 'DBP15K', 'MultiSourceDataset', 'SRPRS']
