import math

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.layers import EqualizedConv2D, EqualizedDense
from reference import box_downsample, conv2d_same, upsample_nearest


def test_dense_init_std_and_runtime_scale():
    layer = EqualizedDense(256, gain=math.sqrt(2), lrmul=0.01)
    layer.build((None, 512))
    kernel = layer.kernel.numpy()
    # Initialised from N(0, 1/lrmul^2): std 100.
    assert abs(kernel.std() - 100.0) < 1.0
    layer.bias.assign(np.full(256, 3.0, np.float32))
    x = np.random.default_rng(0).normal(size=(4, 512)).astype(np.float32)
    expected = x.astype(np.float64) @ (kernel * 0.01 * math.sqrt(2) / math.sqrt(512)) + 3.0 * 0.01
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-4)


def test_dense_gain_one():
    layer = EqualizedDense(8, gain=1.0)
    layer.build((None, 16))
    x = np.ones((1, 16), np.float32)
    expected = x @ (layer.kernel.numpy() / 4.0)  # 1 / sqrt(16)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("resample", [None, "up", "down"])
def test_conv_matches_numpy(resample):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 8, 8, 3)).astype(np.float32)
    layer = EqualizedConv2D(5, 3, resample=resample)
    layer.build(x.shape)
    layer.bias.assign(rng.normal(size=5).astype(np.float32))
    w = layer.kernel.numpy().astype(np.float64) * math.sqrt(2) / math.sqrt(3 * 3 * 3)
    ref = x.astype(np.float64)
    if resample == "up":
        ref = upsample_nearest(ref)
    ref = conv2d_same(ref, w)
    if resample == "down":
        ref = box_downsample(ref)
    ref = ref + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("resample", ["up", "down"])
def test_fused_equals_unfused(resample):
    x = tf.random.normal([2, 8, 8, 4], seed=3)
    plain = EqualizedConv2D(6, 3, resample=resample, fused=False)
    plain.build(x.shape)
    fused = EqualizedConv2D(6, 3, resample=resample, fused=True)
    fused.build(x.shape)
    fused.set_weights(plain.get_weights())
    assert len(fused.trainable_weights) == len(plain.trainable_weights) == 2
    np.testing.assert_allclose(fused(x).numpy(), plain(x).numpy(), atol=1e-4)


def test_bad_resample_is_a_clear_error():
    with pytest.raises(ValueError, match="resample must be"):
        EqualizedConv2D(4, 3, resample="sideways")
