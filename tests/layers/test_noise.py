import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.layers import NoiseInjection


def _layer():
    layer = NoiseInjection(3, 8, seed_index=2)
    return layer


def test_zero_strength_at_initialisation_is_identity():
    layer = _layer()
    np.testing.assert_array_equal(layer.strength.numpy(), 0.0)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)


def test_one_noise_image_broadcast_with_per_channel_strength():
    layer = _layer()
    layer.strength.assign([1.0, 2.0, -3.0])
    x = np.zeros((2, 8, 8, 3), np.float32)
    y = layer(x).numpy()
    noise = y[..., 0]
    np.testing.assert_allclose(y[..., 1], 2 * noise, rtol=1e-6)
    np.testing.assert_allclose(y[..., 2], -3 * noise, rtol=1e-6)
    assert not np.allclose(noise[0], noise[1])  # one image per sample
    assert abs(noise.std() - 1.0) < 0.25


def test_modes():
    layer = _layer()
    layer.strength.assign([1.0, 1.0, 1.0])
    x = np.zeros((2, 8, 8, 3), np.float32)
    assert not np.allclose(layer(x, noise_mode="random"), layer(x, noise_mode="random"))
    np.testing.assert_array_equal(layer(x, noise_mode="const"), layer(x, noise_mode="const"))
    np.testing.assert_array_equal(layer(x, noise_mode="none"), x)
    seed = tf.constant([4, 5], tf.int32)
    np.testing.assert_array_equal(layer(x, seed=seed), layer(x, seed=seed))
    with pytest.raises(ValueError, match="noise_mode"):
        layer(x, noise_mode="loud")


def test_one_seed_per_sample_makes_each_sample_independent_of_its_batch():
    layer = _layer()
    layer.strength.assign([1.0, 1.0, 1.0])
    x = np.zeros((3, 8, 8, 3), np.float32)
    seeds = tf.constant([[7, 1], [8, 1], [7, 1]], tf.int64)
    batch = layer(x, seed=seeds).numpy()
    alone = layer(x[:1], seed=seeds[1:2]).numpy()
    np.testing.assert_array_equal(batch[1], alone[0])  # seed [8, 1] alone or second in a batch
    np.testing.assert_array_equal(batch[0], batch[2])  # the same seed, the same noise
    assert not np.allclose(batch[0], batch[1])
    assert abs(batch[..., 0].std() - 1.0) < 0.25


def test_given_noise_images_replace_the_mode():
    layer = _layer()
    layer.strength.assign([1.0, 2.0, 3.0])
    x = np.zeros((2, 8, 8, 3), np.float32)
    noise = np.random.default_rng(3).normal(size=(2, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(layer(x, noise_mode="none", noise=noise).numpy(), noise * [1.0, 2.0, 3.0], rtol=1e-6)
    const = layer.const_noise.numpy()
    np.testing.assert_array_equal(layer(x, noise=const).numpy(), layer(x, noise_mode="const").numpy())


@pytest.mark.parametrize("dtype", ["float32", "mixed_bfloat16"])
def test_const_noise_is_the_stored_image_times_the_strength_bit_for_bit(dtype):
    # The const path is a 1x1 convolution (so that converters keep the image, not an H x W x C product):
    # one product per value, the same bits as the broadcast product written out in numpy.
    layer = NoiseInjection(5, 8, seed_index=1, dtype=dtype)
    layer.strength.assign(np.random.default_rng(1).normal(size=5).astype(np.float32))
    x = tf.cast(np.random.default_rng(2).normal(size=(2, 8, 8, 5)), layer.compute_dtype)
    noise = tf.cast(layer.const_noise, layer.compute_dtype).numpy()
    strength = tf.cast(layer.strength, layer.compute_dtype).numpy()
    expected = (x.numpy() + noise * strength).astype(x.numpy().dtype)
    np.testing.assert_array_equal(layer(x, noise_mode="const").numpy(), expected)
