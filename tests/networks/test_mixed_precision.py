import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator, Generator


@pytest.mark.parametrize("policy,compute", [("mixed_bfloat16", tf.bfloat16), ("mixed_float16", tf.float16)])
def test_mixed_precision_outputs_finite_and_variables_float32(policy, compute):
    # float16 convolutions are extremely slow on CPU: keep the network tiny.
    cfg = ArchitectureConfig(
        resolution=8, fmap_base=32, fmap_max=8, latent_size=8, dlatent_size=8, mapping_layers=2, mapping_fmaps=8
    )
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        G, D = Generator(cfg), Discriminator(cfg)
    finally:
        keras.config.set_dtype_policy(previous)
    for layer in G.synthesis.styled_layers:
        layer.noise.strength.assign(np.ones(layer.channels, np.float32))
    z = tf.random.normal([4, cfg.latent_size])
    for alpha in (0.5, 1.0):
        images = G(z, stage=8, alpha=alpha, training=True)
        logits = D(images, stage=8, alpha=alpha)
        assert images.dtype == compute and logits.dtype == compute
        assert np.isfinite(tf.cast(images, tf.float32).numpy()).all()
        assert np.isfinite(tf.cast(logits, tf.float32).numpy()).all()
    assert np.isfinite(G.w_avg.numpy()).all()
    assert all(v.dtype == "float32" for v in G.weights + D.weights)

