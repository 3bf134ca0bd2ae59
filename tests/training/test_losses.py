"""Losses and penalties on tiny discriminators with fixed weights, against numpy-worked values.

D_lin(x) = sum(w * x) + b has input gradient w, so R1 = gamma / 2 * ||w||^2 for every example;
D_quad(x) = sum(a * x^2) has input gradient 2 a x, worked out per example in numpy.
"""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.training import losses
from keras_stylegan.training.losses import LossConfig

RNG = np.random.default_rng(0)
SHAPE = (3, 4, 4, 2)
REALS = RNG.uniform(-1, 1, SHAPE).astype(np.float32)
FAKES = RNG.uniform(-1, 1, SHAPE).astype(np.float32)
W = RNG.normal(size=SHAPE[1:]).astype(np.float32)
A = RNG.uniform(0.1, 1.0, SHAPE[1:]).astype(np.float32)
B = 0.3


def np_softplus(x):
    return np.log1p(np.exp(x))


def d_linear(w):
    return lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None] + B


def d_quadratic(x):
    return tf.reduce_sum(A * tf.square(x), axis=[1, 2, 3])[:, None]


def np_lin(x):
    return (x * W).sum(axis=(1, 2, 3)) + B


def np_quad(x):
    return (A * x ** 2).sum(axis=(1, 2, 3))


def test_logistic_losses_match_numpy():
    real, fake = np.array([[1.5], [-0.2], [0.0]]), np.array([[-2.0], [0.7], [3.0]])
    d = losses.logistic_d_loss(tf.constant(real, tf.float32), tf.constant(fake, tf.float32))
    g = losses.logistic_g_loss(tf.constant(fake, tf.float32))
    np.testing.assert_allclose(d, np_softplus(fake[:, 0]) + np_softplus(-real[:, 0]), rtol=1e-6)
    np.testing.assert_allclose(g, np_softplus(-fake[:, 0]), rtol=1e-6)
    # -log(sigmoid(x)) == softplus(-x): the non-saturating loss, written independently.
    np.testing.assert_allclose(g, -np.log(1 / (1 + np.exp(-fake[:, 0]))), rtol=1e-6)


def test_discriminator_logistic_r1_on_linear_d():
    cfg = LossConfig(r1_gamma=10.0)
    out = losses.discriminator_loss(cfg, d_linear(W), tf.constant(REALS), tf.constant(FAKES))
    r1 = 5.0 * (W ** 2).sum()
    np.testing.assert_allclose(out["penalty"], np.full(3, r1), rtol=1e-5)
    np.testing.assert_allclose(out["real_score"], np_lin(REALS), rtol=1e-5)
    np.testing.assert_allclose(out["fake_score"], np_lin(FAKES), rtol=1e-5)
    expected = np_softplus(np_lin(FAKES)) + np_softplus(-np_lin(REALS)) + r1
    np.testing.assert_allclose(out["loss"], expected, rtol=1e-5)


def test_r1_and_r2_on_quadratic_d():
    cfg = LossConfig(r1_gamma=2.0, r2_gamma=4.0)
    out = losses.discriminator_loss(cfg, d_quadratic, tf.constant(REALS), tf.constant(FAKES))
    r1 = 1.0 * ((2 * A * REALS) ** 2).sum(axis=(1, 2, 3))
    r2 = 2.0 * ((2 * A * FAKES) ** 2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(out["penalty"], r1 + r2, rtol=1e-5)


def test_r1_is_differentiable_in_d_weights():
    # d/dw of gamma/2 ||w||^2 is gamma * w: needs the second-order path through the inner tape.
    w = tf.Variable(W)
    cfg = LossConfig(r1_gamma=10.0)
    with tf.GradientTape() as tape:
        out = losses.discriminator_loss(cfg, d_linear(w), tf.constant(REALS), tf.constant(FAKES))
        penalty = tf.reduce_mean(out["penalty"])
    np.testing.assert_allclose(tape.gradient(penalty, w), 10.0 * W, rtol=1e-5)


def test_lazy_r1_scaled_by_interval_and_skipped_between():
    w = tf.Variable(W)
    cfg = LossConfig(r1_gamma=10.0, r1_interval=4)

    @tf.function
    def step(due):
        with tf.GradientTape() as tape:
            out = losses.discriminator_loss(cfg, d_linear(w), REALS, FAKES, r1_due=due)
            penalty = tf.reduce_mean(out["penalty"])
        return out["penalty"], tape.gradient(penalty, w)

    penalty, grad = step(tf.constant(True))
    np.testing.assert_allclose(penalty, np.full(3, 4 * 5.0 * (W ** 2).sum()), rtol=1e-5)
    np.testing.assert_allclose(grad, 4 * 10.0 * W, rtol=1e-5)
    penalty, grad = step(tf.constant(False))
    np.testing.assert_array_equal(penalty, np.zeros(3))
    np.testing.assert_array_equal(grad, np.zeros_like(W))


def test_wgan_gp_with_drift_on_quadratic_d():
    cfg = LossConfig(loss="wgan_gp", wgan_lambda=10.0, wgan_epsilon=0.001, wgan_target=2.0)
    u = np.array([0.0, 0.25, 1.0], np.float32).reshape(3, 1, 1, 1)
    out = losses.discriminator_loss(cfg, d_quadratic, REALS, FAKES, mixing_factors=u)
    x_hat = REALS + u * (FAKES - REALS)
    norms = np.sqrt(((2 * A * x_hat) ** 2).sum(axis=(1, 2, 3)))
    gp = 10.0 * (norms - 2.0) ** 2 / 4.0
    np.testing.assert_allclose(out["penalty"], gp, rtol=1e-5)
    expected = np_quad(FAKES) - np_quad(REALS) + gp + 0.001 * np_quad(REALS) ** 2
    np.testing.assert_allclose(out["loss"], expected, rtol=1e-5)
    g = losses.generator_loss(cfg, tf.constant(np_quad(FAKES)[:, None]))
    np.testing.assert_allclose(g, -np_quad(FAKES), rtol=1e-6)


def test_wgan_gp_on_linear_d_is_norm_of_w():
    cfg = LossConfig(loss="wgan_gp")
    u = RNG.uniform(size=(3, 1, 1, 1)).astype(np.float32)
    out = losses.discriminator_loss(cfg, d_linear(W), REALS, FAKES, mixing_factors=u)
    gp = 10.0 * (np.linalg.norm(W) - 1.0) ** 2
    np.testing.assert_allclose(out["penalty"], np.full(3, gp), rtol=1e-5)


def test_loss_scale_rescues_a_float16_input_gradient():
    # D(x) = sum(x * 2^-14 * 2^-14) in float16: d/dx = 2^-28, below float16's smallest subnormal
    # (2^-24), so an unscaled gradient flushes to 0; scaled by 2^15 it is 2^-13 and survives
    # (2^16 itself overflows float16, whose largest value is 65504: that gives inf).
    def d_half(x):
        h = tf.cast(x, tf.float16) * tf.constant(2.0 ** -14, tf.float16)
        h = h * tf.constant(2.0 ** -14, tf.float16)
        return tf.reduce_sum(h, axis=[1, 2, 3])[:, None]

    _, plain = losses.logits_and_input_gradient_sq_norm(d_half, REALS)
    _, scaled = losses.logits_and_input_gradient_sq_norm(d_half, REALS, loss_scale=2.0 ** 15)
    np.testing.assert_array_equal(plain, np.zeros(3))
    np.testing.assert_allclose(scaled, np.full(3, np.prod(SHAPE[1:]) * 2.0 ** -56), rtol=1e-6)
    _, overflow = losses.logits_and_input_gradient_sq_norm(d_half, REALS, loss_scale=2.0 ** 16)
    assert np.all(np.isinf(overflow))


def test_wgan_needs_mixing_factors():
    with pytest.raises(ValueError, match="mixing_factors"):
        losses.discriminator_loss(LossConfig(loss="wgan_gp"), d_quadratic, REALS, FAKES)


@pytest.mark.parametrize("kwargs,match", [
    (dict(loss="hinge"), "loss='hinge'"),
    (dict(r1_interval=0), "r1_interval"),
    (dict(r1_gamma=-1.0), ">= 0"),
])
def test_bad_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LossConfig(**kwargs)
