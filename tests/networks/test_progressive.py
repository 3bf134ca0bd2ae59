import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator
from reference import box_downsample, upsample_nearest


@pytest.mark.parametrize("batch", range(1, 9))
def test_generator_shapes_every_stage_and_alpha(tiny_nets, tiny_config, batch):
    G, _ = tiny_nets
    z = tf.random.normal([batch, tiny_config.latent_size])
    for stage in tiny_config.resolutions:
        for alpha in (0.0, 0.5, 1.0):
            assert G(z, stage=stage, alpha=alpha).shape == (batch, stage, stage, 3)


@pytest.mark.parametrize("batch", [1, 2, 3, 4, 8])
def test_discriminator_shapes_every_stage_and_alpha(tiny_nets, tiny_config, batch):
    _, D = tiny_nets
    for stage in tiny_config.resolutions:
        x = tf.random.normal([batch, stage, stage, 3])
        for alpha in (0.0, 0.5, 1.0):
            assert D(x, stage=stage, alpha=alpha).shape == (batch, 1)


def test_discriminator_any_batch_without_mbstd_groups(tiny_config):
    D = Discriminator(ArchitectureConfig(**{**tiny_config.to_dict(), "mbstd_group_size": 1}))
    for batch in (5, 6, 7):
        assert D(tf.random.normal([batch, 16, 16, 3]), stage=16, alpha=0.5).shape == (batch, 1)


def test_discriminator_batch_not_divisible_by_group_is_clear(tiny_nets):
    _, D = tiny_nets
    with pytest.raises(ValueError, match="not divisible by the group size"):
        D(tf.random.normal([6, 8, 8, 3]), stage=8)


def test_generator_alpha_zero_is_previous_stage_upsampled(tiny_nets, tiny_config):
    G, _ = tiny_nets
    z = tf.random.normal([3, tiny_config.latent_size])
    for stage in tiny_config.resolutions[1:]:
        faded = G(z, stage=stage, alpha=0.0, noise_mode="const").numpy()
        previous = G(z, stage=stage // 2, noise_mode="const").numpy()
        np.testing.assert_allclose(faded, upsample_nearest(previous), atol=1e-5)


def test_generator_alpha_interpolates_linearly(tiny_nets, tiny_config):
    G, _ = tiny_nets
    z = tf.random.normal([2, tiny_config.latent_size])
    a0, a1, half = (G(z, stage=16, alpha=a, noise_mode="const").numpy() for a in (0.0, 1.0, 0.5))
    np.testing.assert_allclose(half, (a0 + a1) / 2, atol=1e-5)


def test_discriminator_alpha_zero_is_previous_stage_on_averaged_image(tiny_nets, tiny_config):
    _, D = tiny_nets
    for stage in tiny_config.resolutions[1:]:
        x = np.random.default_rng(stage).normal(size=(4, stage, stage, 3)).astype(np.float32)
        faded = D(x, stage=stage, alpha=0.0).numpy()
        previous = D(box_downsample(x), stage=stage // 2).numpy()
        np.testing.assert_allclose(faded, previous, rtol=1e-4, atol=1e-5)


def test_all_blocks_exist_from_construction_named_by_resolution(tiny_nets, tiny_config):
    G, D = tiny_nets
    g_names, d_names = set(G.named_weights()), set(D.named_weights())
    for res in tiny_config.resolutions:
        assert f"synthesis/b{res}/to_rgb/kernel" in g_names
        assert f"b{res}/from_rgb/kernel" in d_names
        first, second = ("const", "conv") if res == 4 else ("conv0_up", "conv1")
        for layer in (first, second):
            assert f"synthesis/b{res}/{layer}/adain/affine/kernel" in g_names
            assert f"synthesis/b{res}/{layer}/noise/const_noise" in g_names
        if res > 4:
            assert {f"b{res}/conv0/kernel", f"b{res}/conv1_down/kernel"} <= d_names
    assert {"w_avg", "mapping/dense0/kernel", "synthesis/b4/const/const/const"} <= g_names
    assert {"b4/conv/kernel", "b4/dense0/kernel", "b4/dense1/kernel"} <= d_names
    assert len(g_names) == len(G.variables) and len(d_names) == len(D.variables)


def test_bad_stage_is_a_clear_error(tiny_nets):
    G, _ = tiny_nets
    with pytest.raises(ValueError, match="stage must be a resolution"):
        G(tf.random.normal([1, 16]), stage=12)
