import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator, Generator


@pytest.fixture
def G(tiny_config):
    G = Generator(tiny_config)
    G.w_avg.assign(np.linspace(-1, 1, tiny_config.dlatent_size).astype(np.float32))
    return G


def test_truncation_psi_one_is_identity(G, tiny_config):
    z = tf.random.normal([3, tiny_config.latent_size])
    np.testing.assert_allclose(G.map(z, truncation_psi=1.0).numpy(), G.map(z).numpy(), atol=1e-6)


def test_truncation_psi_zero_gives_w_avg_on_cut_layers_only(G, tiny_config):
    z = tf.random.normal([3, tiny_config.latent_size])
    ws = G.map(z).numpy()
    cut = G.map(z, truncation_psi=0.0, truncation_cutoff=3).numpy()
    np.testing.assert_allclose(cut[:, :3], np.broadcast_to(G.w_avg.numpy(), cut[:, :3].shape), atol=1e-6)
    np.testing.assert_allclose(cut[:, 3:], ws[:, 3:], atol=1e-6)


def test_truncation_formula(G, tiny_config):
    z = tf.random.normal([2, tiny_config.latent_size])
    ws = G.map(z).numpy()
    w_avg = G.w_avg.numpy()
    out = G.map(z, truncation_psi=0.7).numpy()  # default cutoff 8 = all 8 layers at 32 px
    np.testing.assert_allclose(out, w_avg + 0.7 * (ws - w_avg), atol=1e-5)


def test_style_mixing_takes_layers_before_crossover_from_first(G, tiny_config):
    ws1 = G.map(tf.random.normal([2, tiny_config.latent_size])).numpy()
    ws2 = G.map(tf.random.normal([2, tiny_config.latent_size])).numpy()
    mixed = G.mix(ws1, ws2, 3).numpy()
    np.testing.assert_array_equal(mixed[:, :3], ws1[:, :3])
    np.testing.assert_array_equal(mixed[:, 3:], ws2[:, 3:])


def test_mixed_styles_change_only_fine_or_coarse_images(G, tiny_config):
    """Images synthesised from mixed styles equal neither source but share its coarse layers' styles."""
    ws1 = G.map(tf.random.normal([2, tiny_config.latent_size]))
    ws2 = G.map(tf.random.normal([2, tiny_config.latent_size]))
    a = G.synthesize(ws1, noise_mode="const").numpy()
    mixed = G.synthesize(G.mix(ws1, ws2, 4), noise_mode="const").numpy()
    assert a.shape == mixed.shape and not np.allclose(a, mixed)


def test_const_noise_is_reproducible_and_random_differs_only_through_noise(G, tiny_config):
    for layer in G.synthesis.styled_layers:
        layer.noise.strength.assign(np.full(layer.channels, 0.5, np.float32))
    z = tf.random.normal([2, tiny_config.latent_size])
    np.testing.assert_array_equal(G(z, noise_mode="const").numpy(), G(z, noise_mode="const").numpy())
    assert not np.allclose(G(z).numpy(), G(z).numpy())
    seed = tf.constant([1, 2], tf.int32)
    np.testing.assert_array_equal(G(z, seed=seed).numpy(), G(z, seed=seed).numpy())
    for layer in G.synthesis.styled_layers:
        layer.noise.strength.assign(np.zeros(layer.channels, np.float32))
    np.testing.assert_allclose(G(z).numpy(), G(z, noise_mode="none").numpy(), atol=1e-6)


def test_training_updates_w_avg_by_moving_average(G, tiny_config):
    z = tf.random.normal([4, tiny_config.latent_size])
    before = G.w_avg.numpy()
    w = G.mapping(z).numpy()
    G(z, training=True, seed=tf.constant([3, 4], tf.int32))
    np.testing.assert_allclose(G.w_avg.numpy(), 0.995 * before + 0.005 * w.mean(axis=0), atol=1e-6)
    G(z)  # inference leaves it alone
    np.testing.assert_allclose(G.w_avg.numpy(), 0.995 * before + 0.005 * w.mean(axis=0), atol=1e-6)


def test_training_without_mixing_is_the_mapped_styles(tiny_config):
    cfg = ArchitectureConfig(**{**tiny_config.to_dict(), "style_mixing_prob": 0.0})
    G = Generator(cfg)
    z = tf.random.normal([2, cfg.latent_size])
    np.testing.assert_allclose(
        G(z, training=True, noise_mode="const").numpy(), G(z, noise_mode="const").numpy(), atol=1e-6
    )


def test_training_mixing_is_seeded(G, tiny_config):
    z = tf.random.normal([2, tiny_config.latent_size])
    seed = tf.constant([7, 8], tf.int32)
    w_avg = G.w_avg.numpy()
    a = G(z, training=True, seed=seed).numpy()
    G.w_avg.assign(w_avg)
    np.testing.assert_array_equal(a, G(z, training=True, seed=seed).numpy())


def test_conditional_networks(tiny_config):
    cfg = ArchitectureConfig(**{**tiny_config.to_dict(), "label_size": 5})
    G, D = Generator(cfg), Discriminator(cfg)
    labels = tf.one_hot([0, 3], 5)
    z = tf.random.normal([2, cfg.latent_size])
    images = G(z, labels=labels, stage=16)
    assert D(images, labels=labels, stage=16).shape == (2, 1)
    a = G(z, labels=labels, noise_mode="const").numpy()
    b = G(z, labels=tf.one_hot([1, 2], 5), noise_mode="const").numpy()
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="pass labels"):
        G(z)


def test_truncation_takes_one_psi_per_sample(G, tiny_config):
    z = tf.random.normal([2, tiny_config.latent_size])
    ws, w_avg = G.map(z).numpy(), G.w_avg.numpy()
    out = G.truncate(ws, truncation_psi=tf.constant([0.0, 0.5]), truncation_cutoff=2).numpy()
    np.testing.assert_allclose(out[0, :2], np.broadcast_to(w_avg, (2, w_avg.size)), atol=1e-6)
    np.testing.assert_allclose(out[1, :2], w_avg + 0.5 * (ws[1, :2] - w_avg), atol=1e-6)
    np.testing.assert_allclose(out[:, 2:], ws[:, 2:], atol=1e-6)


def test_style_bands_of_figure_3():
    from keras_stylegan.networks.style_mixing import layers_of_band

    # 1024 px: 18 layers, two per resolution 4, 8, ..., 1024 (Sec. 3.1)
    assert layers_of_band("coarse", 18) == [0, 1, 2, 3]
    assert layers_of_band("middle", 18) == [4, 5, 6, 7]
    assert layers_of_band("fine", 18) == list(range(8, 18))
    assert layers_of_band("fine", 8) == []  # a 32 px network has no 64 px layers
