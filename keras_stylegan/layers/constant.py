"""The learned constant input of the synthesis network (StyleGAN Sec. 2, Fig. 1b "Const 4x4x512")."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_stylegan")
class ConstantInput(keras.layers.Layer):
    """A learned 4x4xC tensor, initialised to ones, repeated for every sample of the batch."""

    def __init__(
        self,
        channels,
        size=4,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.size = int(size)
        self.const = self.add_weight(
            name="const", shape=(1, self.size, self.size, self.channels), initializer="ones"
        )
        self.built = True

    def call(self, batch_size):
        """Return the constant tiled to ``batch_size`` samples, in the compute dtype."""
        return tf.tile(tf.cast(self.const, self.compute_dtype), [batch_size, 1, 1, 1])

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}
