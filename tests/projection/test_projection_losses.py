"""The projector's losses against numpy computations of their definitions."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.metrics.lpips import LPIPS, layer_names
from keras_stylegan.metrics.ms_ssim import ms_ssim, ms_ssim_tf
from keras_stylegan.projection import make_distance
from keras_stylegan.errors import UserError
from keras_stylegan.projection.losses import noise_regularization, normalize_noise


def _images(seed, shape=(3, 32, 32, 3)):
    rng = np.random.default_rng(seed)
    smooth = rng.uniform(-1, 1, (shape[0], 4, 4, shape[3])).repeat(shape[1] // 4, 1).repeat(shape[2] // 4, 2)
    return np.clip(smooth + rng.normal(0, 0.2, shape), -1, 1).astype(np.float32)


# float32 window statistics of values up to 255 (E[x^2] - E[x]^2 ~ 6.5e4 x 6e-8) against the metric's float64:
# variances off by ~4e-3 against C2 = 58.5, MS-SSIM by up to ~1e-4.
ATOL = 2e-4


def test_ms_ssim_tf_is_the_metric_definition():
    x = (_images(0) + 1) * 127.5
    for noise in (10, 40, 80):  # MS-SSIM from about 0.9 down to 0.5
        y = np.clip(x + np.random.default_rng(noise).normal(0, noise, x.shape), 0, 255)
        np.testing.assert_allclose(ms_ssim_tf(x, y).numpy(), ms_ssim(x, y), atol=ATOL)
    np.testing.assert_allclose(ms_ssim_tf(x, x).numpy(), 1.0, atol=1e-5)


def test_ms_ssim_l1_mixes_one_minus_ms_ssim_and_l1_as_zhao_et_al():
    x, y = _images(2), _images(3)
    distance = make_distance("ms_ssim_l1")
    px, py = (x + 1) * 127.5, (y + 1) * 127.5
    expected = 0.84 * (1 - ms_ssim(px, py)) + 0.16 * np.mean(np.abs(px - py), axis=(1, 2, 3)) / 255
    np.testing.assert_allclose(distance(x, distance.prepare(y)).numpy(), expected, atol=ATOL)


def test_ms_ssim_l1_has_finite_gradients_where_a_term_is_negative():
    """A target anti-correlated with the image makes MS-SSIM's contrast terms negative: clipping them at 0 (the
    metric) has no gradient; the loss's floor keeps the gradient finite."""
    x = _images(4)
    distance = make_distance("ms_ssim_l1")
    images = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(images)
        loss = tf.reduce_sum(distance(images, distance.prepare(-x)))
    assert np.all(np.isfinite(tape.gradient(loss, images).numpy()))


def test_ms_ssim_l1_compares_images_smaller_than_the_window_enlarged():
    x, y = _images(5, (2, 8, 8, 3)), _images(6, (2, 8, 8, 3))
    distance = make_distance("ms_ssim_l1")
    big = make_distance("ms_ssim_l1")
    enlarged = lambda a: a.repeat(2, 1).repeat(2, 2)  # noqa: E731
    np.testing.assert_allclose(distance(x, distance.prepare(y)).numpy(),
                               big(enlarged(x), big.prepare(enlarged(y))).numpy(), atol=1e-6)


def _lpips_file(tmp_path):
    rng = np.random.default_rng(0)
    arrays, channels = {}, 3
    for name in layer_names():
        if name.endswith("/kernel"):
            out = 8
            arrays[name] = rng.normal(0, 0.3, (3, 3, channels, out)).astype(np.float32)
            channels = out
        elif name.endswith("/bias"):
            arrays[name] = rng.normal(0, 0.1, channels).astype(np.float32)
        else:
            arrays[name] = rng.uniform(0, 1, 8).astype(np.float32)
    path = tmp_path / "lpips.npz"
    np.savez(path, **arrays)
    return str(path)


def test_lpips_distance_is_lpips_and_area_downsamples_above_256_px(tmp_path):
    path = _lpips_file(tmp_path)
    lpips, distance = LPIPS(path), make_distance("lpips", path)
    x, y = _images(7), _images(8)
    np.testing.assert_allclose(distance(x, distance.prepare(y)).numpy(), lpips(x, y).numpy(), rtol=1e-5)
    big_x, big_y = x[:1].repeat(16, 1).repeat(16, 2), y[:1].repeat(16, 1).repeat(16, 2)  # 512 px, blocks of 16
    half = lambda a: a.reshape(1, 256, 2, 256, 2, 3).mean(axis=(2, 4))  # noqa: E731
    np.testing.assert_allclose(distance(big_x, distance.prepare(big_y)).numpy(),
                               lpips(half(big_x), half(big_y)).numpy(), rtol=1e-4)


def test_lpips_without_weights_is_one_line_naming_the_way_out():
    with pytest.raises(UserError, match="--loss=lpips needs LPIPS-VGG16 weights .*--loss=ms_ssim_l1"):
        make_distance("lpips", None)


def _numpy_regularization(image):
    """StyleGAN2's penalty of one noise image [H, W], loop by loop."""
    total = 0.0
    while True:
        h, w = image.shape
        right = np.array([[image[i, j] * image[i, (j - 1) % w] for j in range(w)] for i in range(h)]).mean()
        down = np.array([[image[i, j] * image[(i - 1) % h, j] for j in range(w)] for i in range(h)]).mean()
        total += right ** 2 + down ** 2
        if h <= 8:
            return total
        image = image.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def test_noise_regularization_sums_squared_shifted_products_over_a_pyramid_down_to_8_px():
    rng = np.random.default_rng(1)
    smooth = rng.normal(size=(2, 4, 4)).repeat(8, 1).repeat(8, 2)  # strongly autocorrelated at 32 px
    noise = [rng.normal(size=(2, 4, 4, 1)).astype(np.float32), (smooth[..., None]).astype(np.float32)]
    expected = [sum(_numpy_regularization(n[k, ..., 0].astype(np.float64)) for n in noise) for k in range(2)]
    np.testing.assert_allclose(noise_regularization([tf.constant(n) for n in noise]).numpy(), expected, rtol=1e-4)


def test_normalized_noise_has_zero_mean_and_unit_variance_per_image():
    rng = np.random.default_rng(2)
    noise = [tf.constant(rng.normal(3.0, 5.0, (2, 8, 8, 1)).astype(np.float32))]
    normalized = normalize_noise(noise)[0].numpy()
    np.testing.assert_allclose(normalized.mean(axis=(1, 2, 3)), 0.0, atol=1e-6)
    np.testing.assert_allclose(normalized.std(axis=(1, 2, 3)), 1.0, atol=1e-5)
