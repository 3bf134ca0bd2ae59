import numpy as np
import keras
import tensorflow as tf

from keras_stylegan import Discriminator, Generator




def _perturb(model):
    for v in model.weights:
        v.assign(v + tf.random.normal(v.shape, stddev=0.1))


def test_config_round_trip_reproduces_outputs(tiny_config):
    G, D = Generator(tiny_config), Discriminator(tiny_config)
    _perturb(G)
    _perturb(D)
    G2 = Generator.from_config(G.get_config())
    G2.set_weights(G.get_weights())
    D2 = Discriminator.from_config(D.get_config())
    D2.set_weights(D.get_weights())
    z = tf.random.normal([2, tiny_config.latent_size])
    np.testing.assert_array_equal(G(z, noise_mode="const").numpy(), G2(z, noise_mode="const").numpy())
    x = tf.random.normal([4, 32, 32, 3])
    np.testing.assert_array_equal(D(x).numpy(), D2(x).numpy())
    assert G2.config == tiny_config


def test_keras_file_save_load(tiny_config, tmp_path):
    G, D = Generator(tiny_config), Discriminator(tiny_config)
    _perturb(G)
    _perturb(D)
    G.save(tmp_path / "g.keras")
    D.save(tmp_path / "d.keras")
    G2 = keras.saving.load_model(tmp_path / "g.keras")
    D2 = keras.saving.load_model(tmp_path / "d.keras")
    assert isinstance(G2, Generator) and isinstance(D2, Discriminator)
    z = tf.random.normal([2, tiny_config.latent_size])
    for psi in (None, 0.5):
        np.testing.assert_array_equal(
            G(z, truncation_psi=psi, noise_mode="const").numpy(),
            G2(z, truncation_psi=psi, noise_mode="const").numpy(),
        )
    x = tf.random.normal([4, 16, 16, 3])
    np.testing.assert_array_equal(D(x, stage=16, alpha=0.3).numpy(), D2(x, stage=16, alpha=0.3).numpy())


def test_get_config_round_trips_dtype_trainable_and_sampling_defaults(tiny_config):
    G = Generator(tiny_config, truncation_psi=0.5, truncation_cutoff=4, dtype="mixed_bfloat16", name="g")
    G.trainable = False
    G2 = Generator.from_config(G.get_config())
    assert G2.dtype_policy.name == "mixed_bfloat16" and G2.compute_dtype == "bfloat16"
    assert not G2.trainable
    assert (G2.truncation_psi, G2.truncation_cutoff, G2.name) == (0.5, 4, "g")
    D2 = Discriminator.from_config(Discriminator(tiny_config, dtype="float32").get_config())
    assert D2.dtype_policy.name == "float32" and D2.trainable


def test_copy_holds_the_weights_with_overrides_and_with_policy_copies_only_for_another_policy(tiny_config):
    G = Generator(tiny_config, dtype="mixed_bfloat16")
    _perturb(G)
    snapshot = G.copy(name="Gs", stage=16, alpha=0.5)
    assert (snapshot.name, snapshot.stage, snapshot.alpha, snapshot.dtype_policy.name) == ("Gs", 16, 0.5,
                                                                                          "mixed_bfloat16")
    float32 = G.with_policy("float32")
    assert float32.compute_dtype == "float32" and G.compute_dtype == "bfloat16"
    for copy in (snapshot, float32):
        assert copy is not G
        for ours, theirs in zip(copy.get_weights(), G.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    assert float32.with_policy("float32") is float32 and G.with_policy("mixed_bfloat16") is G
