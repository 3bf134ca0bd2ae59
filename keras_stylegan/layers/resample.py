"""Resampling: nearest up-sampling, 2x2 average down-sampling and the binomial blur.

StyleGAN (Karras et al. 2019, Sec. 2 and Appendix C) replaces ProGAN's nearest-neighbour resampling by
"bilinear" resampling: the up/down-sampling is followed / preceded by a low-pass filter with the
separable binomial kernel [1, 2, 1] (Zhang 2019).
"""

import keras
import numpy as np
import tensorflow as tf


def upsample2d(x, factor=2):
    """Nearest-neighbour up-sampling of an NHWC tensor by an integer factor (ProGAN Sec. 3)."""
    if factor == 1:
        return x
    shape = tf.shape(x)
    channels = x.shape[-1]
    x = tf.reshape(x, [shape[0], shape[1], 1, shape[2], 1, channels])
    x = tf.tile(x, [1, 1, factor, 1, factor, 1])
    return tf.reshape(x, [shape[0], shape[1] * factor, shape[2] * factor, channels])


def downsample2d(x, factor=2):
    """Box-filter down-sampling (average of factor x factor blocks) of an NHWC tensor (ProGAN Sec. 3)."""
    if factor == 1:
        return x
    return tf.nn.avg_pool2d(x, ksize=factor, strides=factor, padding="VALID")


def binomial_kernel(taps=(1, 2, 1)):
    """The normalised 2-D binomial filter: outer product of ``taps`` divided by its sum."""
    taps = np.asarray(taps, dtype=np.float64)
    kernel = np.outer(taps, taps)
    return (kernel / kernel.sum()).astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Blur(keras.layers.Layer):
    """Depthwise low-pass filter with the normalised [1, 2, 1] binomial kernel (StyleGAN Sec. 2).

    Applied after every up-sampling convolution of the generator and before every down-sampling
    convolution of the discriminator; "same" padding keeps the spatial size.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._kernel = binomial_kernel()
        self.built = True

    def call(self, x):
        channels = x.shape[-1]
        kernel = np.tile(self._kernel[:, :, None, None], [1, 1, channels, 1])
        return tf.nn.depthwise_conv2d(
            x, tf.constant(kernel, dtype=x.dtype), strides=[1, 1, 1, 1], padding="SAME"
        )

    def compute_output_shape(self, input_shape):
        return input_shape
