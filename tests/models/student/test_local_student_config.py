import pytest

from pyg_kgt import LocalStudentConfig, ModelConfig
from pyg_kgt.errors import ConfigError


def test_unknown_choices_are_refused_with_the_setting_named():
    with pytest.raises(ConfigError, match='prediction_trust'):
        LocalStudentConfig(prediction_trust='blind')
    with pytest.raises(ConfigError, match='prediction_queries'):
        LocalStudentConfig(prediction_queries='some')
    with pytest.raises(ConfigError, match='train_on'):
        LocalStudentConfig(train_on='everything')


def test_negative_weights_are_refused_and_a_model_dict_is_read():
    with pytest.raises(ConfigError, match='network_weight: must be >= 0'):
        LocalStudentConfig(network_weight=-1.0)
    config = LocalStudentConfig(model={'hidden_channels': 32})
    assert config.model == ModelConfig(hidden_channels=32)
