"""The mapping network f: Z -> W (StyleGAN Sec. 2, Fig. 1b)."""

import keras
import tensorflow as tf

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.layers.equalized import EqualizedDense
from keras_stylegan.layers.norm import PixelNorm


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Mapping(keras.layers.Layer):
    """z -> pixel norm -> ``mapping_layers`` equalized dense layers with leaky ReLU(0.2) -> w.

    The dense layers use learning-rate multiplier ``mapping_lrmul`` (0.01, Appendix C). With labels
    (``label_size > 0``), a learned label embedding is concatenated with z before the normalisation,
    as in the official conditional networks.
    """

    def __init__(
        self,
        config,  # ArchitectureConfig or its dict
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = config = ArchitectureConfig.coerce(config)
        in_size = config.latent_size
        if config.label_size:
            self.label_embedding = self.add_weight(
                name="label_embedding",
                shape=(config.label_size, config.latent_size),
                initializer=keras.initializers.RandomNormal(stddev=1.0),
            )
            in_size += config.latent_size
        self.pixel_norm = PixelNorm(dtype=self.dtype_policy, name="pixel_norm")
        self.dense_layers = []  # official G_mapping/Dense{i}
        with keras.name_scope(self.name):
            for i in range(config.mapping_layers):
                units = config.dlatent_size if i == config.mapping_layers - 1 else config.mapping_fmaps
                layer = EqualizedDense(units, lrmul=config.mapping_lrmul, dtype=self.dtype_policy, name=f"dense{i}")
                layer.build((None, in_size))
                self.dense_layers.append(layer)
                in_size = units
        self.built = True

    def call(self, z, labels=None):
        x = tf.cast(z, self.compute_dtype)
        if self.config.label_size:
            if labels is None:
                raise ValueError(
                    f"this network is conditional (label_size={self.config.label_size}): pass labels."
                )
            y = tf.matmul(tf.cast(labels, self.compute_dtype), tf.cast(self.label_embedding, self.compute_dtype))
            x = tf.concat([x, y], axis=1)
        x = self.pixel_norm(x)
        for layer in self.dense_layers:
            x = tf.nn.leaky_relu(layer(x), alpha=0.2)
        return x

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
