"""The Sampler's graph functions: NVIDIA's uint8 conversion, the generator's images, noise by seed, checks."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.inference.latents import latents_for_seeds
from keras_stylegan.inference.sampler import Sampler, to_uint8
from noisy import with_noise
from reference import assert_same_image, uint8_images

CONFIG = ArchitectureConfig(resolution=16, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                            fmap_base=64, fmap_max=16)


@pytest.fixture(scope="module")
def G():
    return with_noise(Generator(CONFIG))


@pytest.fixture(scope="module")
def sampler(G):
    return Sampler(G)


def test_uint8_conversion_is_nvidias():
    x = tf.constant([-2.0, -1.0, -0.5, 0.0, 0.5, 0.996, 1.0, 1.5])
    # floor(x * 127.5 + 128): -1 -> 0, 0 -> 128, 1 -> 255, outside [-1, 1] clipped
    np.testing.assert_array_equal(to_uint8(x).numpy(), [0, 0, 64, 128, 191, 254, 255, 255])


def test_generate_gives_the_generators_images_with_const_noise(G, sampler):
    z = latents_for_seeds([0, 1, 2], CONFIG.latent_size)
    images = sampler.generate(z, np.float32(0.7))["images"].numpy()
    assert images.dtype == np.uint8 and images.shape == (3, 16, 16, 3)
    expected = G(z, truncation_psi=0.7, truncation_cutoff=G.truncation_cutoff, noise_mode="const")
    assert_same_image(images, uint8_images(expected))  # a graph may fuse ops that eager runs one by one
    ws = sampler.mapping(z, np.float32(0.7))["w"]
    assert_same_image(sampler.synthesis(ws)["images"], images)


def test_psi_is_a_scalar_or_one_per_image(G, sampler):
    z = latents_for_seeds([0, 1], CONFIG.latent_size)
    per_image = sampler.generate(z, np.float32([1.0, -0.5]))["images"].numpy()
    assert_same_image(per_image[0], sampler.generate(z[:1], np.float32(1.0))["images"][0])
    assert_same_image(per_image[1], sampler.generate(z[1:], np.float32(-0.5))["images"][0])
    assert not np.array_equal(per_image[1], sampler.generate(z[1:], np.float32(1.0))["images"][0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be a scalar or one value per z"):
        sampler.generate(z, np.float32([0.5, 0.5, 0.5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be in \[-1, 2\]"):
        sampler.generate(z, np.float32(2.5))


def test_random_noise_depends_on_each_images_own_seed(sampler):
    z = latents_for_seeds([3, 4, 3], CONFIG.latent_size)
    batch = sampler.generate_random_noise(z, np.float32(1.0), np.int64([7, 8, 9]))["images"].numpy()
    alone = sampler.generate_random_noise(z[1:2], np.float32(1.0), np.int64([8]))["images"].numpy()
    assert_same_image(batch[1], alone[0])  # the noise itself is equal (tests/layers/test_noise.py)
    assert not np.array_equal(batch[0], batch[2])  # one z, two noise seeds
    assert not np.array_equal(batch[0], sampler.generate(z[:1], np.float32(1.0))["images"][0])


def test_images_for_seeds_come_in_batches_equal_to_one_by_one(sampler):
    seeds = [3, 1, 4, 1, 5]
    batches = list(sampler.images_for_seeds(seeds, 0.7, batch_size=2))
    assert [batch for batch, _ in batches] == [[3, 1], [4, 1], [5]]
    images = np.concatenate([images for _, images in batches])
    for seed, image in zip(seeds, images):
        z = np.random.RandomState(seed).randn(1, CONFIG.latent_size).astype(np.float32)
        assert_same_image(image, sampler.generate(z, np.float32(0.7))["images"][0])


def test_a_snapshot_mid_training_gives_images_at_its_stage_and_alpha():
    G = with_noise(Generator(CONFIG, stage=8, alpha=0.5))
    z = latents_for_seeds([0], CONFIG.latent_size)
    images = Sampler(G).generate(z, np.float32(1.0))["images"].numpy()
    assert images.shape == (1, 8, 8, 3)
    assert_same_image(images, uint8_images(G(z, truncation_psi=1.0, noise_mode="const")))


def test_noise_mode_none_and_conditional_networks():
    G = with_noise(Generator(ArchitectureConfig(**{**CONFIG.to_dict(), "label_size": 3})))
    z = latents_for_seeds([0], CONFIG.latent_size)
    sampler = Sampler(G, noise_mode="none")
    labels = np.eye(3, dtype=np.float32)
    images = [sampler.generate(z, np.float32(1.0), labels[i:i + 1])["images"].numpy() for i in range(3)]
    assert not np.array_equal(images[0], images[1])
    assert_same_image(images[2], uint8_images(G(z, labels[2:], truncation_psi=1.0, noise_mode="none")))
    [(_, from_class)] = sampler.images_for_seeds([0], 1.0, class_index=2)
    np.testing.assert_array_equal(from_class, images[2])
    with pytest.raises(ValueError, match="random"):
        Sampler(G, noise_mode="random")
