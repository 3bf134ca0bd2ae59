import math

import numpy as np

from keras_stylegan.layers import AdaIN


def _input(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(3, 6, 6, 4)) * 5 + 2).astype(np.float32), rng.normal(size=(3, 8)).astype(np.float32)


def test_zero_affine_gives_plain_instance_norm():
    x, w = _input()
    layer = AdaIN(4, 8)
    layer.affine.kernel.assign(np.zeros((8, 8), np.float32))
    y = layer(x, w).numpy()
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(1, 2)), 1.0, atol=1e-4)


def test_styles_at_init_have_zero_bias():
    layer = AdaIN(4, 8)
    np.testing.assert_array_equal(layer.affine.bias.numpy(), 0.0)
    assert layer.affine.gain == 1.0


def test_adain_equation_against_numpy():
    x, w = _input(1)
    layer = AdaIN(4, 8)
    layer.affine.bias.assign(np.linspace(-1, 1, 8).astype(np.float32))
    kernel = layer.affine.kernel.numpy().astype(np.float64) / math.sqrt(8)  # gain 1, fan-in 8
    style = w.astype(np.float64) @ kernel + np.linspace(-1, 1, 8)
    y_s, y_b = style[:, :4], style[:, 4:]
    mu = x.mean(axis=(1, 2), keepdims=True)
    sigma = np.sqrt(((x - mu) ** 2).mean(axis=(1, 2), keepdims=True) + 1e-8)
    expected = (x - mu) / sigma * (1 + y_s[:, None, None, :]) + y_b[:, None, None, :]
    np.testing.assert_allclose(layer(x, w).numpy(), expected, rtol=1e-4, atol=1e-4)
