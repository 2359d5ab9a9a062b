import pytest

from pyg_kgt.config_dict import check_choice
from pyg_kgt.errors import ConfigError


def test_check_choice_names_the_setting_and_its_choices():
    check_choice('loss', '1-n', ('1-n', 'negative-sampling'))
    with pytest.raises(ConfigError, match=r"^loss: unknown value 'x' \(use "
                       r"one of \('1-n', 'negative-sampling'\)\)$"):
        check_choice('loss', 'x', ('1-n', 'negative-sampling'))
