"""Per-layer noise inputs (StyleGAN Sec. 2, Fig. 1b "B")."""

import keras
import tensorflow as tf

NOISE_MODES = ("random", "const", "none")


def check_noise_mode(noise_mode):
    """Raise a clear error for an unknown noise mode."""
    if noise_mode not in NOISE_MODES:
        raise ValueError(f"noise_mode must be one of {NOISE_MODES}, got {noise_mode!r}")


@keras.saving.register_keras_serializable(package="keras_stylegan")
class NoiseInjection(keras.layers.Layer):
    """x + strength * noise: one single-channel N(0, 1) image per sample, broadcast over channels.

    ``strength`` is a learned per-channel scale initialised to 0. ``noise_mode``: ``"random"`` draws
    fresh noise (statelessly from ``seed`` when one is given, so a step is reproducible), ``"const"``
    uses a fixed noise image stored in the layer (reproducible images), ``"none"`` adds nothing.
    """

    def __init__(
        self,
        channels,  # feature maps of x
        resolution,  # spatial size of x (for the constant noise buffer)
        seed_index=0,  # folded into a step seed so that every layer draws its own noise
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.resolution = int(resolution)
        self.seed_index = int(seed_index)
        self.strength = self.add_weight(
            name="strength", shape=(self.channels,), initializer="zeros"
        )
        self.const_noise = self.add_weight(
            name="const_noise",
            shape=(1, self.resolution, self.resolution, 1),
            initializer=keras.initializers.RandomNormal(seed=1000 + self.seed_index),
            trainable=False,
        )
        self.built = True

    def call(self, x, noise_mode="random", seed=None):
        check_noise_mode(noise_mode)
        if noise_mode == "none":
            return x
        if noise_mode == "const":
            noise = self.const_noise
        else:
            shape = tf.concat([tf.shape(x)[:3], [1]], axis=0)
            if seed is None:
                noise = tf.random.normal(shape)
            else:
                layer_seed = tf.random.experimental.stateless_fold_in(seed, self.seed_index)
                noise = tf.random.stateless_normal(shape, seed=layer_seed)
        return x + tf.cast(noise, x.dtype) * tf.cast(self.strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "channels": self.channels,
            "resolution": self.resolution,
            "seed_index": self.seed_index,
        }
