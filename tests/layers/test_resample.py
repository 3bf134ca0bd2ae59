import numpy as np

from keras_stylegan.layers import Blur, binomial_kernel, downsample2d, upsample2d
from reference import box_downsample, upsample_nearest


def test_binomial_kernel_by_hand():
    expected = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float32) / 16.0
    np.testing.assert_allclose(binomial_kernel(), expected)


def test_blur_of_impulse_is_the_kernel_in_every_channel():
    x = np.zeros((1, 5, 5, 2), np.float32)
    x[0, 2, 2, :] = 1.0
    y = Blur()(x).numpy()
    expected = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0
    for c in range(2):
        np.testing.assert_allclose(y[0, 1:4, 1:4, c], expected, atol=1e-7)
    assert abs(y.sum() - 2.0) < 1e-6


def test_blur_keeps_a_constant_image_inside():
    x = np.full((1, 6, 6, 1), 3.0, np.float32)
    y = Blur()(x).numpy()
    np.testing.assert_allclose(y[0, 1:-1, 1:-1, 0], 3.0, atol=1e-6)
    # Zero padding at the border: corner sees 9/16 of the mass.
    assert abs(y[0, 0, 0, 0] - 3.0 * 9 / 16) < 1e-6


def test_up_and_down_sampling():
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(upsample2d(x).numpy(), upsample_nearest(x))
    np.testing.assert_allclose(downsample2d(x).numpy(), box_downsample(x), atol=1e-6)
    np.testing.assert_allclose(downsample2d(upsample2d(x)).numpy(), x, atol=1e-6)
