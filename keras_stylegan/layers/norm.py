"""Normalisations: pixelwise feature normalisation and minibatch standard deviation (ProGAN Sec. 3, 4.2)."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_stylegan")
class PixelNorm(keras.layers.Layer):
    """x / sqrt(mean(x**2 over features) + eps) (ProGAN Sec. 4.2, Eq. 1); StyleGAN applies it to z."""

    def __init__(
        self,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.built = True

    def call(self, x):
        x32 = tf.cast(x, tf.float32)
        x32 = x32 * tf.math.rsqrt(tf.reduce_mean(tf.square(x32), axis=-1, keepdims=True) + self.epsilon)
        return tf.cast(x32, x.dtype)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="keras_stylegan")
class MinibatchStddev(keras.layers.Layer):
    """Minibatch standard deviation feature maps (ProGAN Sec. 3), computed in float32.

    The batch is split into groups of ``group_size`` (sample n belongs to group n mod N/G, as in the
    official code); within each group the standard deviation of every feature at every position is
    taken, averaged over positions and over the channels of each of ``num_features`` channel groups,
    and the result is appended as ``num_features`` constant feature maps.
    """

    def __init__(
        self,
        group_size=4,  # capped at the batch size
        num_features=1,  # channel groups, one output map each
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.group_size = int(group_size)
        self.num_features = int(num_features)
        self.built = True

    def _group(self, batch):
        """Group size for a batch, and a clear error if the batch does not split into such groups."""
        if isinstance(batch, int):
            group = min(self.group_size, batch)
            if batch % group:
                raise ValueError(
                    f"MinibatchStddev: batch size {batch} is not divisible by the group size {group}; "
                    f"use a batch that is a multiple of {group} (or set mbstd_group_size)."
                )
            return group
        group = tf.minimum(self.group_size, batch)
        tf.debugging.assert_equal(
            batch % group, 0,
            message=f"MinibatchStddev: batch size must be a multiple of the group size {self.group_size}",
        )
        return group

    def call(self, x):
        static_batch = x.shape[0]
        batch = static_batch if static_batch is not None else tf.shape(x)[0]
        group = self._group(batch)
        _, h, w, c = x.shape
        f = self.num_features
        y = tf.cast(x, tf.float32)
        y = tf.reshape(y, [group, -1, h, w, f, c // f])
        y = y - tf.reduce_mean(y, axis=0, keepdims=True)
        y = tf.sqrt(tf.reduce_mean(tf.square(y), axis=0) + 1e-8)
        y = tf.reduce_mean(y, axis=[1, 2, 4])  # [N/G, F]
        y = tf.reshape(y, [-1, 1, 1, f])
        y = tf.tile(y, [group, h, w, 1])
        return tf.concat([x, tf.cast(y, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + self.num_features,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "num_features": self.num_features}
