from pyg_kgt.nn.conv.relational_adjacency import RelationalAdjacency
from pyg_kgt.nn.conv.relational_conv import RelationalConv, RelationalMessages

__all__ = ['RelationalAdjacency', 'RelationalConv', 'RelationalMessages']
