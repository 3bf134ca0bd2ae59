"""The mapping network f: Z -> W (StyleGAN Sec. 2, Fig. 1b)."""

import keras
import numpy as np
import tensorflow as tf

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.errors import UserError
from keras_stylegan.layers.equalized import EqualizedDense
from keras_stylegan.layers.norm import PixelNorm


def check_inputs(z, labels, config):
    """Raise a UserError naming the expected dtype and shape when ``z`` is not float [N, latent_size], or
    ``labels`` are missing for a conditional network, given to an unconditional one, or not [N, label_size].

    Checks what is known before running (dtype, static shape); graphs whose input shapes are only known
    at run time add their own run-time checks (keras_stylegan.inference.sampler).
    """
    _check_float_matrix("z", z, config.latent_size, "the network's latent_size")
    if not config.label_size:
        if labels is not None:
            raise UserError("this network is unconditional (label_size=0): it takes no labels (give no class).")
        return
    if labels is None:
        raise UserError(f"this network is conditional (label_size={config.label_size}): pass labels "
                        f"(one-hot float [N, {config.label_size}], e.g. a class).")
    _check_float_matrix("labels", labels, config.label_size, "the network's label_size")


def _check_float_matrix(name, value, width, what):
    if not hasattr(value, "dtype"):
        value = np.asarray(value)
    dtype, shape = tf.as_dtype(value.dtype), tf.TensorShape(value.shape)
    expected = f"{name} must be a float array of shape [N, {width}] ({what})"
    if not dtype.is_floating:
        raise UserError(f"{expected}, got dtype {dtype.name}.")
    if shape.rank is not None and (shape.rank != 2 or shape[1] not in (None, width)):
        raise UserError(f"{expected}, got shape {shape.as_list()}.")


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
        check_inputs(z, labels, self.config)
        x = tf.cast(z, self.compute_dtype)
        if self.config.label_size:
            y = tf.matmul(tf.cast(labels, self.compute_dtype), tf.cast(self.label_embedding, self.compute_dtype))
            x = tf.concat([x, y], axis=1)
        x = self.pixel_norm(x)
        for layer in self.dense_layers:
            x = tf.nn.leaky_relu(layer(x), alpha=0.2)
        return x

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
