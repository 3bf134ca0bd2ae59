"""The official -> ours name table: one to one with our weights, readable, and the layout changes right."""

import numpy as np
import pytest

from keras_stylegan import ArchitectureConfig, Discriminator, Generator
from keras_stylegan.legacy import names

CONFIGS = [
    ArchitectureConfig(resolution=32, fmap_base=256, fmap_max=64, latent_size=64, dlatent_size=64, mapping_fmaps=64),
    ArchitectureConfig(resolution=128, fmap_base=256, fmap_max=16, latent_size=8, dlatent_size=8, mapping_layers=2,
                       mapping_fmaps=8, label_size=3, use_noise=False),
]


@pytest.mark.parametrize("config", CONFIGS, ids=["r32", "r128-conditional-no-noise"])
def test_every_weight_of_ours_has_exactly_one_official_variable(config):
    for table, network in ((names.generator_table(config), Generator(config)),
                           (names.discriminator_table(config), Discriminator(config))):
        ours = [path for path, _ in table.values()]
        assert len(ours) == len(set(ours)) == len(table)
        assert set(ours) == set(network.named_weights())


def test_the_table_reads_as_the_official_scopes():
    g, d = names.generator_table(CONFIGS[0]), names.discriminator_table(CONFIGS[0])
    assert g["dlatent_avg"] == ("w_avg", None)
    assert g["G_mapping/Dense7/bias"] == ("mapping/dense7/bias", None)
    assert g["G_synthesis/4x4/Const/const"] == ("synthesis/b4/const/const/const", names.nchw_to_nhwc)
    assert g["G_synthesis/8x8/Conv1/StyleMod/weight"] == ("synthesis/b8/conv1/adain/affine/kernel", None)
    assert g["G_synthesis/16x16/Conv0_up/Noise/weight"] == ("synthesis/b16/conv0_up/noise/strength", None)
    # noise{i} feeds the i-th styled layer: 4x4 Const, 4x4 Conv, 8x8 Conv0_up, 8x8 Conv1, ...
    assert g["G_synthesis/noise3"] == ("synthesis/b8/conv1/noise/const_noise", names.nchw_to_nhwc)
    assert g["G_synthesis/ToRGB_lod3/weight"] == ("synthesis/b4/to_rgb/kernel", None)  # 32 / 2**3 = 4
    assert d["FromRGB_lod0/bias"] == ("b32/from_rgb/bias", None)
    assert d["16x16/Conv1_down/weight"] == ("b16/conv1_down/kernel", None)
    assert d["4x4/Dense1/weight"] == ("b4/dense1/kernel", None)
    conditional = names.generator_table(CONFIGS[1])
    assert conditional["G_mapping/LabelConcat/weight"] == ("mapping/label_embedding", None)
    assert not any("noise" in key.lower() for key in conditional)


def test_only_fused_up_sampling_kernels_are_flipped():
    table = names.generator_table(CONFIGS[1])  # fused_scale "auto": the 128 px block only
    assert table["G_synthesis/128x128/Conv0_up/weight"][1] is names.flip_spatial
    assert table["G_synthesis/64x64/Conv0_up/weight"][1] is None
    assert names.discriminator_table(CONFIGS[1])["128x128/Conv1_down/weight"][1] is None
    kernel = np.arange(18, dtype=np.float32).reshape(3, 3, 2, 1)
    np.testing.assert_array_equal(names.flip_spatial(kernel)[0, 0], kernel[2, 2])


def test_dense0_rows_follow_the_flattening_order():
    """Official D flattens its [N, C, 4, 4] features, ours [N, 4, 4, C]: the same product after the reorder."""
    rng = np.random.default_rng(0)
    features = rng.standard_normal((2, 5, 4, 4))
    official_kernel = rng.standard_normal((5 * 16, 3))
    official = features.reshape(2, -1) @ official_kernel
    ours = np.transpose(features, (0, 2, 3, 1)).reshape(2, -1) @ names.nchw_rows_to_nhwc(official_kernel, 5)
    np.testing.assert_allclose(ours, official, rtol=1e-12)
