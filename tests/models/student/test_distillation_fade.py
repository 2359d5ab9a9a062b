import pytest
import torch

from pyg_kgt.models.student.distillation_fade import DistillationFade


def test_the_scale_falls_by_the_factor_at_each_plateau_only():
    fade = DistillationFade(0.5)
    # Improvements keep it; a tie or a drop is a plateau.
    scales = [fade.observe(m) for m in (0.1, 0.2, 0.2, 0.15, 0.3, 0.25)]
    assert scales == [1.0, 1.0, 0.5, 0.25, 0.25, 0.125]
    assert float(fade.best) == pytest.approx(0.3)
    assert fade.scaled(torch.tensor(4.0)).item() == 0.5


def test_factor_one_is_constant_and_zero_stops_at_the_first_plateau():
    constant, stop = DistillationFade(1.0), DistillationFade(0.0)
    for mrr in (0.3, 0.2, 0.4, 0.1):
        constant.observe(mrr)
        stop.observe(mrr)
    assert constant.value == 1.0 and stop.value == 0.0
    with pytest.raises(ValueError, match='factor'):
        DistillationFade(1.5)


def test_its_state_travels_in_a_state_dict_and_old_ones_load():
    fade = DistillationFade(0.5)
    fade.observe(0.4)
    fade.observe(0.3)
    resumed = DistillationFade(0.5)
    resumed.load_state_dict(fade.state_dict())
    assert resumed.value == 0.5 and float(resumed.best) == pytest.approx(0.4)
    old = DistillationFade(0.5)
    old.load_state_dict({})  # a checkpoint from before the fade
    assert old.value == 1.0 and float(old.best) == float('-inf')
