"""MS-SSIM against tf.image.ssim_multiscale, its limits (identical pairs 1, independent noise about 0) and the
diversity of a stream of images."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.metrics import ms_ssim


def smooth_images(count, size, seed):
    """Random images with structure: noise blurred by a box filter, then fine noise."""
    rng = np.random.RandomState(seed)
    coarse = rng.uniform(0, 255, (count, size // 8, size // 8, 3))
    images = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2) + rng.normal(0, 20, (count, size, size, 3))
    return np.clip(images, 0, 255).astype(np.uint8)


def test_matches_tensorflow_ssim_multiscale_at_five_scales():
    x = smooth_images(2, 192, seed=0)
    y = np.clip(x.astype(np.float32) + np.random.RandomState(1).normal(0, 90, x.shape), 0, 255).astype(np.uint8)
    expected = tf.image.ssim_multiscale(tf.constant(x, tf.float32), tf.constant(y, tf.float32), 255.0).numpy()
    ours = ms_ssim.ms_ssim(x, y)
    assert ms_ssim.num_scales(192) == 5
    np.testing.assert_allclose(ours, expected, rtol=1e-4)  # TensorFlow computes in float32, ours in float64
    assert 0.2 < ours.min() and ours.max() < 0.95  # the pair is neither identical nor unrelated


def test_identical_pairs_are_one_and_independent_noise_about_zero():
    x = smooth_images(4, 32, seed=2)
    np.testing.assert_allclose(ms_ssim.ms_ssim(x, x), 1.0, rtol=1e-12)
    rng = np.random.RandomState(3)
    noise = [rng.randint(0, 256, (8, 64, 64, 3)).astype(np.uint8) for _ in range(2)]
    assert abs(ms_ssim.ms_ssim(*noise).mean()) < 0.05


def test_small_images_use_the_scales_that_fit_with_renormalised_weights():
    assert [ms_ssim.num_scales(size) for size in (11, 21, 22, 32, 64, 175, 176)] == [1, 1, 2, 2, 3, 4, 5]
    x = smooth_images(3, 32, seed=4)
    y = np.clip(x + np.random.RandomState(5).normal(0, 60, x.shape), 0, 255).astype(np.uint8)
    weights = np.array(ms_ssim.WEIGHTS[:2]) / np.sum(ms_ssim.WEIGHTS[:2])  # 32 and 16 px
    expected = tf.image.ssim_multiscale(tf.constant(x, tf.float32), tf.constant(y, tf.float32), 255.0,
                                        power_factors=weights).numpy()
    np.testing.assert_allclose(ms_ssim.ms_ssim(x, y), expected, rtol=1e-4)
    with pytest.raises(ValueError, match="at least 11 px"):
        ms_ssim.ms_ssim(x[:, :8, :8], y[:, :8, :8])


def test_diversity_is_the_mean_over_consecutive_pairs_across_batches():
    a, b, c = smooth_images(3, 32, seed=6)
    stream = [np.stack([a, a, b]), np.stack([c, a, c])]  # pairs (a, a), (b, c), (a, c)
    expected = np.mean([1.0, ms_ssim.ms_ssim(b[None], c[None])[0], ms_ssim.ms_ssim(a[None], c[None])[0]])
    assert ms_ssim.diversity(stream, 6) == pytest.approx(expected, rel=1e-12)
    assert ms_ssim.diversity(stream, 2) == pytest.approx(1.0)
