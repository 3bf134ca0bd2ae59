"""ADA's p controller (Karras et al. 2020, Sec. 3): p moves by sign(r_t - target) * batch * interval /
(kimg * 1000) every interval steps, r_t the mean sign of D's outputs on the interval's reals, clamped to
[0, p_max]; the numbers below are worked out by hand."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.augment import Augment, AugmentConfig
from keras_stylegan.augment.ada_controller import AdaController, sign_totals


def _feed(controller, signs, step, batch=8):
    """One step whose reals have D outputs of the given signs (scaled, so only the sign counts)."""
    scores = tf.constant(np.asarray(signs, np.float32) * np.linspace(0.1, 3.0, len(signs), dtype=np.float32))
    controller.update(sign_totals(scores), batch, step)


def test_p_moves_by_the_formula_every_interval_and_is_clamped():
    # batch 8, interval 2, kimg 0.064: each adjustment is 8 * 2 / 64 = 0.25
    controller = AdaController(target=0.6, kimg=0.064, interval=2, p_max=0.6)
    overfit = [1] * 7 + [-1]  # mean sign 0.75 > 0.6
    expected = [0.0, 0.25, 0.25, 0.5, 0.5, 0.6, 0.6, 0.6]  # after each step; 0.75 is clamped to p_max 0.6
    for step, value in enumerate(expected):
        _feed(controller, overfit, step)
        assert float(controller.p) == pytest.approx(value), step
    balanced = [1] * 4 + [-1] * 4  # mean sign 0 < 0.6
    expected = [0.6, 0.35, 0.35, 0.1, 0.1, 0.0, 0.0, 0.0]
    for step, value in enumerate(expected, start=8):
        _feed(controller, balanced, step)
        assert float(controller.p) == pytest.approx(value), step


def test_r_t_is_the_mean_over_the_whole_interval():
    controller = AdaController(target=0.6, kimg=0.064, interval=2, p_max=1.0)
    _feed(controller, [1] * 8, step=0)  # 1.0 alone would raise p ...
    assert float(controller.sign_sum) == 8 and float(controller.sign_count) == 8 and float(controller.p) == 0
    _feed(controller, [1] * 2 + [-1] * 6, step=1)  # ... but the interval's mean is (8 - 4) / 16 = 0.25: p stays 0
    assert float(controller.p) == 0.0
    assert float(controller.sign_sum) == 0 and float(controller.sign_count) == 0  # new sums for the next interval
    controller.p.assign(0.5)
    _feed(controller, [1] * 8, step=2)
    _feed(controller, [1] * 5 + [-1] * 3, step=3)  # (8 + 2) / 16 = 0.625 > 0.6
    assert float(controller.p) == pytest.approx(0.75)


def test_r_t_equal_to_the_target_leaves_p_alone():
    controller = AdaController(target=0.5, kimg=0.064, interval=1)
    controller.p.assign(0.3)
    _feed(controller, [1] * 6 + [-1] * 2, step=0)  # exactly 0.5: sign(0) = 0
    assert float(controller.p) == pytest.approx(0.3)


def test_a_fixed_p_or_another_method_never_moves_p():
    for config in (AugmentConfig(augment="ada", augment_p=0.3), AugmentConfig(augment="diffaug"), AugmentConfig()):
        augment = Augment(config)
        for step in range(8):
            r_t = augment.observe(tf.ones([8]), 8, step)
        assert float(r_t) == 1.0 and float(augment.controller.p) == 0.0
    assert float(Augment(AugmentConfig(augment="ada", augment_p=0.3)).strength()) == pytest.approx(0.3)
