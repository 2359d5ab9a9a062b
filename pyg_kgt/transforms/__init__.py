r"""PyG transforms."""
from pyg_kgt.transforms.link_subgraph import LinkSubgraph

__all__ = ['LinkSubgraph']
