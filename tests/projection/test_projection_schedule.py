"""NVIDIA's projection schedule, worked out by hand from its definition (StyleGAN2 App. D)."""

import math

import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.projection import ProjectionConfig


def test_learning_rate_warms_up_holds_and_ramps_down_along_half_a_cosine():
    config = ProjectionConfig()  # 1000 steps, peak 0.1, 5% warm-up, 25% ramp-down
    assert config.learning_rate_at(0) == 0.0
    assert config.learning_rate_at(25) == pytest.approx(0.1 * 25 / 50)  # halfway through the warm-up
    assert config.learning_rate_at(50) == pytest.approx(0.1)
    assert config.learning_rate_at(750) == pytest.approx(0.1)  # ramp-down starts at 75%
    # at step 875, (1 - t) / 0.25 = 0.5: 0.5 - 0.5 cos(pi / 2) = 0.5
    assert config.learning_rate_at(875) == pytest.approx(0.05)
    # at step 999, (1 - t) / 0.25 = 0.004
    assert config.learning_rate_at(999) == pytest.approx(0.1 * (0.5 - 0.5 * math.cos(0.004 * math.pi)))


def test_noise_on_w_falls_quadratically_to_zero_at_75_percent():
    config = ProjectionConfig(num_steps=100)
    assert config.w_noise_scale(0, w_std=2.0) == pytest.approx(2.0 * 0.05)
    assert config.w_noise_scale(375 / 10, w_std=2.0) == pytest.approx(2.0 * 0.05 * 0.25)  # t = 0.375: (1 - 0.5)^2
    assert config.w_noise_scale(75, w_std=2.0) == 0.0
    assert config.w_noise_scale(99, w_std=2.0) == 0.0


@pytest.mark.parametrize("field, value", [("space", "z"), ("num_steps", 0), ("learning_rate", 0.0),
                                          ("lr_rampup", 0.0), ("w_noise_ramp", 1.5), ("w_noise", -1.0),
                                          ("w_avg_samples", 1)])
def test_out_of_range_settings_are_user_errors(field, value):
    with pytest.raises(UserError, match=field):
        ProjectionConfig(**{field: value})
