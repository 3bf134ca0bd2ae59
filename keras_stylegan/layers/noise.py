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
    ``seed`` is one stateless seed ``[2]`` for the whole batch, or one per sample ``[N, 2]``: then a
    sample's noise depends on its own seed only, not on the batch it is drawn in. ``noise``, an image
    ``[N or 1, H, W, 1]``, is the noise itself (a projection's optimised noise maps): given, it replaces
    the noise mode.
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

    def call(self, x, noise_mode="random", seed=None, noise=None):
        check_noise_mode(noise_mode)
        if noise is not None:
            return x + tf.cast(noise, x.dtype) * tf.cast(self.strength, x.dtype)
        if noise_mode == "none":
            return x
        strength = tf.cast(self.strength, x.dtype)
        if noise_mode == "const":
            # The stored image times the per-channel strength, written as the 1x1 convolution from one channel to
            # C that it is (the same single product per value, bit for bit): graph converters fold a product of
            # two constants into one constant, which here would store an H x W x C tensor per layer in a
            # converted model (LiteRT: 64 MB for each 1024 px layer of 16 channels) instead of the H x W image; they keep a
            # convolution.
            return x + tf.nn.conv2d(tf.cast(self.const_noise, x.dtype), strength[None, None, None, :], 1, "VALID")
        return x + tf.cast(self._draw(tf.concat([tf.shape(x)[:3], [1]], axis=0), seed), x.dtype) * strength

    def _draw(self, shape, seed):
        """N(0, 1) noise of ``shape`` [N, H, W, 1] from ``seed`` (None, [2] or one per sample [N, 2])."""
        if seed is None:
            return tf.random.normal(shape)
        seed = tf.convert_to_tensor(seed)
        if seed.shape.rank == 2:
            return tf.map_fn(lambda sample_seed: self._draw(shape[1:], sample_seed), seed,
                             fn_output_signature=tf.float32)
        layer_seed = tf.random.experimental.stateless_fold_in(seed, self.seed_index)
        return tf.random.stateless_normal(shape, seed=layer_seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "channels": self.channels,
            "resolution": self.resolution,
            "seed_index": self.seed_index,
        }
