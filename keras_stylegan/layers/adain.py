"""Adaptive instance normalisation driven by a learned affine transform of w (StyleGAN Sec. 2, Eq. 1)."""

import keras
import tensorflow as tf

from keras_stylegan.layers.equalized import EqualizedDense


def instance_norm(x, epsilon=1e-8):
    """Normalise each channel of each sample to zero mean and unit variance over H, W, in float32."""
    x32 = tf.cast(x, tf.float32)
    x32 = x32 - tf.reduce_mean(x32, axis=[1, 2], keepdims=True)
    x32 = x32 * tf.math.rsqrt(tf.reduce_mean(tf.square(x32), axis=[1, 2], keepdims=True) + epsilon)
    return tf.cast(x32, x.dtype)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class AdaIN(keras.layers.Layer):
    """AdaIN(x, y) = (1 + y_s) * (x - mu(x)) / sigma(x) + y_b (StyleGAN Eq. 1, official "+1" form).

    The style y = (y_s, y_b) is the learned affine transform "A" of Fig. 1b applied to this layer's w:
    an equalized dense layer with gain 1 and biases initialised to 0.
    """

    def __init__(
        self,
        channels,  # feature maps of x
        dlatent_size,  # dimension of w
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.dlatent_size = int(dlatent_size)
        self.epsilon = float(epsilon)
        with keras.name_scope(self.name):
            self.affine = EqualizedDense(2 * self.channels, gain=1.0, dtype=self.dtype_policy, name="affine")
            self.affine.build((None, self.dlatent_size))
        self.built = True

    def call(self, x, w):
        style = self.affine(tf.cast(w, x.dtype))
        y_s = style[:, None, None, : self.channels]
        y_b = style[:, None, None, self.channels :]
        return instance_norm(x, self.epsilon) * (1 + y_s) + y_b

    def compute_output_shape(self, x_shape, w_shape=None):
        return x_shape

    def get_config(self):
        return {
            **super().get_config(),
            "channels": self.channels,
            "dlatent_size": self.dlatent_size,
            "epsilon": self.epsilon,
        }
