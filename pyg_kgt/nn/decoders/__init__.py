from pyg_kgt.nn.decoders.complex import ComplEx
from pyg_kgt.nn.decoders.decoder import Decoder
from pyg_kgt.nn.decoders.distmult import DistMult
from pyg_kgt.nn.decoders.rotate import RotatE
from pyg_kgt.nn.decoders.transe import TransE

DECODERS = {'transe': TransE, 'distmult': DistMult, 'complex': ComplEx,
            'rotate': RotatE}


def build_decoder(name: str, num_relations: int, channels: int) -> Decoder:
    r"""A decoder by (case-insensitive) name, one of :data:`DECODERS`."""
    key = name.lower()
    if key not in DECODERS:
        raise ValueError(f"unknown decoder '{name}' (use one of "
                         f'{sorted(DECODERS)})')
    return DECODERS[key](num_relations, channels)


__all__ = ['ComplEx', 'Decoder', 'DistMult', 'RotatE', 'TransE',
           'DECODERS', 'build_decoder']
