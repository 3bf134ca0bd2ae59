"""The architecture and sampling defaults an official pickle's static_kwargs give, and the one-line error
for every official option keras-stylegan does not implement (must-show 2)."""

import numpy as np
import pytest

from official_pickle import load_fixture, write_fixture_pickle, write_pickle

from keras_stylegan import ArchitectureConfig
from keras_stylegan.legacy import OfficialModelError, read_official


def test_the_fixture_options_give_its_architecture_and_the_official_sampling_defaults(tmp_path):
    model = read_official(write_fixture_pickle(tmp_path / "r32.pkl", "r32", tmp_path / "ran"))
    assert model.architecture == ArchitectureConfig(
        resolution=32, num_channels=3, label_size=0, latent_size=64, dlatent_size=64, mapping_layers=8,
        mapping_fmaps=64, mapping_lrmul=0.01, fmap_base=256, fmap_decay=1.0, fmap_max=64, w_avg_beta=0.995,
        style_mixing_prob=0.9, fused_scale="auto", mbstd_group_size=4, mbstd_num_features=1, use_noise=True)
    assert model.roles == ("G", "D", "Gs")
    # G_style's defaults psi 0.7, cutoff 8; the fixture's lod variables are 0: full resolution, stable.
    assert model.sampling["Gs"] == {"truncation_psi": 0.7, "truncation_cutoff": 8, "stage": 32, "alpha": 1.0}


def test_given_truncation_and_training_options_are_taken(tmp_path):
    style = dict(truncation_psi=0.5, truncation_cutoff=6, dlatent_avg_beta=None, style_mixing_prob=0.8)
    model = read_official(write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", style_options=style,
                                               d_options=dict(mbstd_group_size=2, fused_scale=False),
                                               g_options=dict(fused_scale=False)))
    assert model.sampling["Gs"]["truncation_psi"] == 0.5 and model.sampling["Gs"]["truncation_cutoff"] == 6
    arch = model.architecture
    assert (arch.w_avg_beta, arch.style_mixing_prob, arch.mbstd_group_size, arch.fused_scale) == (1.0, 0.8, 2, "false")
    model = read_official(write_fixture_pickle(tmp_path / "b.pkl", "r32", tmp_path / "ran",
                                               style_options=dict(truncation_psi=None)))
    assert model.sampling["Gs"]["truncation_psi"] == 1.0  # official: None disables truncation


def test_a_mid_training_lod_becomes_the_generators_sampling_stage(tmp_path):
    g_vars, _, _ = load_fixture("r32")
    snapshot = {**g_vars, "lod": np.float32(1.25), "G_synthesis/lod": np.float32(1.25)}
    path = write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", gs_vars=snapshot)
    model = read_official(path)
    # lod 1.25: the 16 px stage (32 / 2**1), three quarters faded in (alpha = 1 - 0.25).
    assert (model.sampling["Gs"]["stage"], model.sampling["Gs"]["alpha"]) == (16, 0.75)
    assert (model.sampling["G"]["stage"], model.sampling["G"]["alpha"]) == (32, 1.0)
    assert (model.generator("Gs").stage, model.generator("Gs").alpha) == (16, 0.75)


UNSUPPORTED = [
    ("g", "blur_filter", [1, 3, 3, 1]),
    ("g", "blur_filter", None),
    ("g", "use_pixel_norm", True),
    ("g", "const_input_layer", False),
    ("g", "use_instance_norm", False),
    ("g", "use_styles", False),
    ("g", "nonlinearity", "relu"),
    ("g", "mapping_nonlinearity", "relu"),
    ("g", "use_wscale", False),
    ("g", "normalize_latents", False),
    ("g", "structure", "fixed"),
    ("g", "fused_scale", "sometimes"),
    ("g", "num_fp16_res", 4),  # not an option of any StyleGAN v1 network
    ("d", "nonlinearity", "relu"),
    ("d", "use_wscale", False),
    ("d", "blur_filter", [1, 1]),
    ("d", "structure", "fixed"),
    ("d", "resolution", 64),  # G and D of one model must agree
]


@pytest.mark.parametrize("network,option,value", UNSUPPORTED)
def test_each_unsupported_official_option_is_a_one_line_error_naming_it(tmp_path, network, option, value):
    given = {f"{network}_options": {option: value}}
    path = write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", **given)
    with pytest.raises(OfficialModelError, match=option) as error:
        read_official(path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("build_funcs,version,what", [
    (("G_paper", "G_mapping", "G_synthesis"), 2, "ProGAN"),
    (("G_main", "G_mapping", "G_synthesis_stylegan2"), 4, "StyleGAN2"),
    (("G_style", "G_mapping", "G_synthesis_stylegan2"), 4, "StyleGAN2"),
    (("G_style", "G_mapping", "G_synthesis"), 4, "StyleGAN2"),
    (("G_custom", "G_mapping", "G_synthesis"), 3, "G_custom"),
])
def test_other_releases_and_build_functions_are_named(tmp_path, build_funcs, version, what):
    g_vars, d_vars, _ = load_fixture("r32")

    def build(official):
        g = official.generator("Gs", g_vars, {"resolution": 32}, build_funcs=build_funcs)
        return g, official.discriminator(d_vars, {"resolution": 32}), g

    with pytest.raises(OfficialModelError, match=what):
        read_official(write_pickle(tmp_path / "a.pkl", build, tmp_path / "ran", version=version))


def test_the_progan_network_class_is_read_and_refused_by_its_build_function(tmp_path):
    g_vars, _, _ = load_fixture("r32")
    path = tmp_path / "progan.pkl"
    write_pickle(path, lambda official: official.network("G", "G_paper", g_vars, {"resolution": 32}),
                 tmp_path / "ran", module="tfutil", version=2)
    with pytest.raises(OfficialModelError, match="ProGAN network .*G_paper"):
        read_official(path)


def test_a_pickle_that_is_not_a_network_tuple_is_refused(tmp_path):
    path = write_pickle(tmp_path / "a.pkl", lambda official: {"G": 1}, tmp_path / "ran")
    with pytest.raises(OfficialModelError, match="holds a dict, not NVIDIA's"):
        read_official(path)
