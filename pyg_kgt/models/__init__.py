from pyg_kgt.models.link_predictor import LinkPredictor

__all__ = ['LinkPredictor']
from pyg_kgt.models.model_config import ModelConfig  # noqa: E402

__all__ += ['ModelConfig']
