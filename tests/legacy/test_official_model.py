"""load_official / read_official beyond the reference outputs: each network gets its own variables, and a
variable that does not fit is an error naming it."""

import numpy as np
import pytest

from official_pickle import G_OPTIONS, load_fixture, write_fixture_pickle, write_pickle

from keras_stylegan.legacy import OfficialModelError, load_official


def _scaled(variables, factor):
    return {name: value * factor for name, value in variables.items()}


def test_G_D_and_Gs_each_hold_their_own_networks_variables(tmp_path):
    g_vars, d_vars, _ = load_fixture("r32")
    path = write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", g_vars=_scaled(g_vars, 2.0),
                                gs_vars=_scaled(g_vars, 3.0))
    G, D, Gs = load_official(path)
    g, gs = G.named_weights(), Gs.named_weights()
    for name in g:
        np.testing.assert_allclose(g[name].numpy() * 3.0, gs[name].numpy() * 2.0, rtol=1e-6)
    np.testing.assert_array_equal(gs["w_avg"].numpy(), 3.0 * g_vars["dlatent_avg"])
    np.testing.assert_array_equal(g["mapping/dense0/kernel"].numpy(), 2.0 * g_vars["G_mapping/Dense0/weight"])
    np.testing.assert_array_equal(D.named_weights()["b4/dense1/kernel"].numpy(), d_vars["4x4/Dense1/weight"])
    np.testing.assert_array_equal(gs["synthesis/b8/conv1/noise/const_noise"].numpy()[0, :, :, 0],
                                  3.0 * g_vars["G_synthesis/noise3"][0, 0])
    assert (G.name, D.name, Gs.name) == ("G", "D", "Gs")


def test_a_pickle_of_gs_alone_gives_no_G_and_no_D(tmp_path):
    g_vars, _, _ = load_fixture("r32")
    path = write_pickle(tmp_path / "gs.pkl", lambda official: official.generator("Gs", g_vars, G_OPTIONS["r32"]),
                        tmp_path / "ran")
    G, D, Gs = load_official(path)
    assert G is None and D is None and Gs.config.resolution == 32


def test_a_variable_whose_shape_does_not_fit_the_options_is_named(tmp_path):
    path = write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", g_options=dict(fmap_max=32),
                                d_options=dict(fmap_max=32))
    with pytest.raises(OfficialModelError, match=r"G's G_synthesis/4x4/Const/const has shape \(1, 4, 4, 64\) .*"
                                                 r"our synthesis/b4/const/const/const has \(1, 4, 4, 32\)"):
        load_official(path)


def test_conditional_label_weights_map_onto_the_label_embedding(tmp_path):
    g_vars, d_vars, _ = load_fixture("r32")
    rng = np.random.default_rng(0)
    label_concat = rng.standard_normal((3, 64)).astype(np.float32)
    g_vars = {**g_vars, "G_mapping/LabelConcat/weight": label_concat,
              "G_mapping/Dense0/weight": rng.standard_normal((128, 64)).astype(np.float32)}
    d_vars = {**d_vars, "4x4/Dense1/weight": rng.standard_normal((64, 3)).astype(np.float32),
              "4x4/Dense1/bias": np.zeros(3, np.float32)}
    path = write_fixture_pickle(tmp_path / "a.pkl", "r32", tmp_path / "ran", g_vars=g_vars, d_vars=d_vars,
                                gs_vars=g_vars, g_options=dict(label_size=3), d_options=dict(label_size=3))
    G, D, Gs = load_official(path)
    np.testing.assert_array_equal(Gs.named_weights()["mapping/label_embedding"].numpy(), label_concat)
    labels = np.eye(3, dtype=np.float32)[[0, 2]]
    images = Gs(np.zeros((2, 64), np.float32), labels=labels, noise_mode="const")
    assert images.shape == (2, 32, 32, 3) and D(images, labels=labels).shape == (2, 1)
