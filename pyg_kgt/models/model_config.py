"""Model configuration and builder."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pyg_kgt.config_dict import DictConfig
from pyg_kgt.errors import ConfigError
from pyg_kgt.models.link_predictor import LinkPredictor
from pyg_kgt.models.task_loss import TaskLoss
from pyg_kgt.nn.decoders import DECODERS, build_decoder
from pyg_kgt.nn.encoders import RGCNEncoder


@dataclass
class ModelConfig(DictConfig):
    r"""Architecture of a :class:`LinkPredictor`.

    Args:
        hidden_channels (int): Embedding and layer width. (default: 200)
        num_layers (int): RelationalConv layers (0 = embeddings only).
            (default: 1)
        num_bases (int, optional): Basis decomposition. (default: 4)
        num_blocks (int, optional): Block-diagonal weights instead.
        dropout (float): Dropout on layer inputs. (default: 0.2)
        decoder (str): ``transe``, ``distmult``, ``complex`` or ``rotate``.
            (default: ``"distmult"``)
        aggr (str): ``"mean"`` or ``"add"``. (default: ``"mean"``)
    """

    hidden_channels: int = 200
    num_layers: int = 1
    num_bases: Optional[int] = 4
    num_blocks: Optional[int] = None
    dropout: float = 0.2
    decoder: str = 'distmult'
    aggr: str = 'mean'

    def __post_init__(self) -> None:
        if self.decoder.lower() not in DECODERS:
            raise ConfigError(f"decoder: unknown value '{self.decoder}' (use "
                              f'one of {sorted(DECODERS)})')
        if self.hidden_channels < 1 or self.num_layers < 0:
            raise ConfigError('hidden_channels must be >= 1 and num_layers '
                              '>= 0')
        if self.num_blocks is not None:
            self.num_bases = None

    def build(self, num_nodes: int, num_relations: int,
              num_message_relations: Optional[int] = None,
              loss: Optional[TaskLoss] = None) -> LinkPredictor:
        r"""Builds the model.

        Args:
            num_nodes (int): Entities.
            num_relations (int): Relations the decoder scores.
            num_message_relations (int, optional): Edge types of the
                message-passing graph, if they differ (inverse and
                ``same_as`` types). (default: ``2 * num_relations``, i.e.
                the encoder adds inverse edges itself)
            loss (TaskLoss, optional): The model's task loss. (default:
                ``TaskLoss()``)
        """
        add_inverse = num_message_relations is None
        encoder = RGCNEncoder(
            num_nodes, self.hidden_channels,
            num_relations if add_inverse else num_message_relations,
            num_layers=self.num_layers, num_bases=self.num_bases,
            num_blocks=self.num_blocks, dropout=self.dropout,
            add_inverse=add_inverse, aggr=self.aggr)
        decoder = build_decoder(self.decoder, num_relations,
                                self.hidden_channels)
        return LinkPredictor(encoder, decoder, loss)
