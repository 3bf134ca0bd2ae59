"""Network blending: the blend's blocks below the cut compute A's activations, the blocks from the cut up
compute B's function of what they are given, and the blend is a snapshot every tool loads."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_stylegan as ks
from keras_stylegan.errors import UserError
from keras_stylegan.networks.blending import blend
from noisy import with_noise

CONFIG = dict(resolution=32, fmap_base=128, fmap_max=32, latent_size=16, dlatent_size=16, mapping_layers=2,
              mapping_fmaps=16)


def _network(seed, **overrides):
    keras.utils.set_random_seed(seed)
    return with_noise(ks.Generator(ks.ArchitectureConfig(**{**CONFIG, **overrides})), strength=0.3, seed=seed)


@pytest.fixture(scope="module")
def networks():
    return _network(1), _network(2)


def _activations(generator, ws):
    """Each block's output {resolution: features} when the generator draws ws (constant noise)."""
    x, out = tf.shape(ws)[0], {}
    for res in generator.config.resolutions:
        x = out[res] = generator.synthesis.block(res)(x, ws, noise_mode="const").numpy()
    return out


@pytest.mark.parametrize("cut", [8, 16])
def test_blocks_below_the_cut_are_as_and_from_the_cut_up_bs(networks, cut):
    a, b = networks
    blended = blend(a, b, cut)
    z = np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32)
    ws = blended.map(z)
    np.testing.assert_array_equal(ws.numpy(), a.map(z).numpy())  # the mapping is A's
    mine, theirs = _activations(blended, ws), _activations(a, ws)
    for res in blended.config.resolutions:
        if res < cut:
            np.testing.assert_array_equal(mine[res], theirs[res])  # A's block on A's features
        else:
            given = mine[res // 2]  # B's block on the features the blend gives it
            expected = b.synthesis.block(res)(given, ws, noise_mode="const").numpy()
            np.testing.assert_array_equal(mine[res], expected)
            assert not np.allclose(mine[res], theirs[res])
    images = blended.synthesize(ws, noise_mode="const").numpy()
    np.testing.assert_array_equal(images, b.synthesis.block(32).to_rgb(mine[32]).numpy())


def test_the_mapping_can_come_from_the_fine_network(networks):
    a, b = networks
    z = np.random.default_rng(3).normal(size=(2, 16)).astype(np.float32)
    blended = blend(a, b, 16, mapping="fine")
    np.testing.assert_array_equal(blended.map(z).numpy(), b.map(z).numpy())
    np.testing.assert_array_equal(blended.w_avg.numpy(), b.w_avg.numpy())


def test_the_blend_is_a_snapshot_every_tool_loads(networks, tmp_path):
    a, b = networks
    blended = blend(a, b, 16)
    blended.save(tmp_path / "blend.keras")
    loaded = ks.load_generator(str(tmp_path / "blend.keras"))
    z = np.random.default_rng(4).normal(size=(2, 16)).astype(np.float32)
    np.testing.assert_array_equal(loaded(z, noise_mode="const").numpy(), blended(z, noise_mode="const").numpy())


@pytest.mark.parametrize("overrides, named", [({"fmap_max": 16}, "fmap_max: 32 \\(coarse\\) vs 16 \\(fine\\)"),
                                              ({"resolution": 16}, "resolution: 32 \\(coarse\\) vs 16"),
                                              ({"mapping_layers": 3}, "mapping_layers"),
                                              ({"label_size": 2}, "label_size")])
def test_networks_of_another_architecture_are_one_line(networks, overrides, named):
    with pytest.raises(UserError, match=f"not of one architecture \\({named}"):
        blend(networks[0], _network(5, **overrides), 16)


def test_training_only_settings_do_not_stop_a_blend(networks):
    blend(networks[0], _network(6, style_mixing_prob=0.5, mbstd_group_size=2), 16)


def test_the_cut_must_be_a_resolution_above_4(networks):
    with pytest.raises(UserError, match=r"must be one of \[8, 16, 32\]"):
        blend(*networks, 4)


def test_mid_training_snapshots_must_have_reached_the_blocks_they_give(networks):
    """Progressive growing trains a block only from its stage on: coarse must have reached the blocks below the
    cut (16 px for a cut at 32), fine the cut itself; the blend then draws at fine's stage."""
    coarse, fine = networks
    coarse_at_8, fine_at_16 = coarse.copy(stage=8), fine.copy(stage=16, alpha=0.5)
    with pytest.raises(UserError, match=r"^the coarse network draws only up to 8 px .* its blocks up to 16 px were "
                                        r"never trained; .* a blend resolution of at most 16\.$"):
        blend(coarse_at_8, fine, 32)
    with pytest.raises(UserError, match=r"^the fine network draws only up to 16 px .* none of its blocks from 32 px up "
                                        r"is drawn; .* a blend resolution of at most 16\.$"):
        blend(coarse, fine_at_16, 32)
    blended = blend(coarse_at_8, fine_at_16, 16)
    assert (blended.stage, blended.alpha) == (16, 0.5)
