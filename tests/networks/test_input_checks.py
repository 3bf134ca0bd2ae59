"""Bad inputs to the generator's Python API: one clear error naming the expected shape, dtype or range."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.errors import UserError

CONFIG = ArchitectureConfig(resolution=8, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                            fmap_base=32, fmap_max=16)


@pytest.fixture(scope="module")
def G():
    return Generator(CONFIG)


def z(width=16, dtype=np.float32, count=2):
    return np.random.RandomState(0).randn(count, width).astype(dtype)


@pytest.mark.parametrize("bad, named", [
    (z(width=15), r"z must be a float array of shape \[N, 16\] \(the network's latent_size\), got shape \[2, 15\]"),
    (z()[0], r"shape \[N, 16\].*got shape \[16\]"),
    (z(dtype=np.int32), r"shape \[N, 16\].*got dtype int32"),
])
def test_z_of_the_wrong_width_rank_or_dtype_is_named(G, bad, named):
    with pytest.raises(UserError, match=named):
        G(bad)
    with pytest.raises(UserError, match=named):
        G.map(bad)


@pytest.mark.parametrize("psi", [2.5, -1.01, float("nan"), [0.5, 3.0]])
def test_truncation_psi_outside_minus_one_two_is_named(G, psi):
    with pytest.raises(UserError, match=r"truncation_psi must be in \[-1, 2\]"):
        G(z(), truncation_psi=psi)


def test_truncation_psi_at_the_ends_of_the_range_is_accepted(G):
    for psi in (-1.0, 2.0, tf.constant([-1.0, 2.0])):
        assert G(z(), truncation_psi=psi).shape == (2, 8, 8, 3)


def test_psi_known_only_when_a_graph_runs_is_checked_there(G):
    truncate = tf.function(lambda ws, psi: G.truncate(ws, psi), input_signature=[
        tf.TensorSpec([None, G.num_layers, 16]), tf.TensorSpec(None)])
    ws = G.map(z())
    np.testing.assert_allclose(truncate(ws, 1.0), ws)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be in \[-1, 2\]"):
        truncate(ws, 2.5)


def test_labels_are_refused_by_an_unconditional_network_and_required_by_a_conditional_one(G):
    with pytest.raises(UserError, match=r"unconditional \(label_size=0\): it takes no labels"):
        G(z(), labels=np.eye(3, dtype=np.float32)[:2])
    conditional = Generator(ArchitectureConfig(**{**CONFIG.to_dict(), "label_size": 3}))
    with pytest.raises(UserError, match=r"conditional \(label_size=3\): pass labels"):
        conditional(z())
    with pytest.raises(UserError, match=r"labels must be a float array of shape \[N, 3\].*got shape \[2, 4\]"):
        conditional(z(), labels=np.eye(4, dtype=np.float32)[:2])
    assert conditional(z(), labels=np.eye(3, dtype=np.float32)[:2]).shape == (2, 8, 8, 3)
