from pyg_kgt.nn.encoders.rgcn_encoder import RGCNEncoder

__all__ = ['RGCNEncoder']
