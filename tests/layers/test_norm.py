import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.layers import ConstantInput, MinibatchStddev, PixelNorm


def test_pixel_norm():
    x = np.array([[3.0, 4.0], [1.0, -1.0]], np.float32)
    # rms of (3, 4) is sqrt(12.5); of (1, -1) is 1.
    expected = np.array([[3 / np.sqrt(12.5), 4 / np.sqrt(12.5)], [1.0, -1.0]])
    np.testing.assert_allclose(PixelNorm()(x).numpy(), expected, rtol=1e-6)


def _mbstd_reference(x, group_size):
    n = x.shape[0]
    g = min(group_size, n)
    m = n // g
    out = np.zeros((n,) + x.shape[1:3] + (1,))
    for j in range(m):
        members = [i for i in range(n) if i % m == j]  # official grouping: sample i in group i mod N/G
        std = np.sqrt(x[members].var(axis=0) + 1e-8)  # population std across the group
        for i in members:
            out[i] = std.mean()
    return np.concatenate([x, out], axis=-1)


@pytest.mark.parametrize("batch", [1, 2, 4, 8])
def test_minibatch_stddev_against_numpy(batch):
    x = np.random.default_rng(batch).normal(size=(batch, 4, 4, 6)).astype(np.float32)
    y = MinibatchStddev(group_size=4)(x).numpy()
    np.testing.assert_allclose(y, _mbstd_reference(x.astype(np.float64), 4), rtol=1e-4, atol=1e-4)


def test_minibatch_stddev_indivisible_batch_is_a_clear_error():
    x = np.zeros((6, 4, 4, 2), np.float32)
    with pytest.raises(ValueError, match="not divisible by the group size 4"):
        MinibatchStddev(group_size=4)(x)


def test_constant_input_is_ones_tiled():
    layer = ConstantInput(5)
    y = layer(tf.constant(3)).numpy()
    assert y.shape == (3, 4, 4, 5)
    np.testing.assert_array_equal(y, 1.0)
