"""Equalized learning rate layers (ProGAN, Karras et al. 2018, Sec. 4.1; StyleGAN Appendix C).

Weights are initialised from N(0, 1 / lrmul**2) and scaled at run time by
``lrmul * gain / sqrt(fan_in)`` (He's constant applied dynamically); biases are scaled by ``lrmul``.
Every weight therefore learns at the same speed whatever its fan-in, and ``lrmul`` (0.01 in the mapping
network) slows a whole network down.
"""

import math

import keras
import tensorflow as tf

from keras_stylegan.layers.resample import downsample2d, upsample2d

SQRT2 = math.sqrt(2.0)


class _Equalized(keras.layers.Layer):
    """Shared weight creation and run-time scaling of the equalized layers."""

    def __init__(
        self,
        units,
        gain=SQRT2,  # sqrt(2) before leaky ReLU, 1 for toRGB and the style affine
        lrmul=1.0,  # learning-rate multiplier
        use_bias=True,
        bias_init=0.0,  # initial value of the bias, before the lrmul scaling
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = int(units)
        self.gain = float(gain)
        self.lrmul = float(lrmul)
        self.use_bias = bool(use_bias)
        self.bias_init = float(bias_init)

    def _make_weights(self, kernel_shape, fan_in):
        self.weight_scale = self.lrmul * self.gain / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lrmul),
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=keras.initializers.Constant(self.bias_init),
            )

    def scaled_kernel(self, dtype):
        """The kernel times lrmul * gain / sqrt(fan_in), in ``dtype``."""
        return tf.cast(self.kernel * self.weight_scale, dtype)

    def add_bias(self, x):
        """x + bias * lrmul (no-op without a bias)."""
        if not self.use_bias:
            return x
        return x + tf.cast(self.bias * self.lrmul, x.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            gain=self.gain,
            lrmul=self.lrmul,
            use_bias=self.use_bias,
            bias_init=self.bias_init,
        )
        return config


@keras.saving.register_keras_serializable(package="keras_stylegan")
class EqualizedDense(_Equalized):
    """Fully connected layer with equalized learning rate (ProGAN Sec. 4.1)."""

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self._make_weights((fan_in, self.units), fan_in)

    def call(self, x):
        return self.add_bias(tf.matmul(x, self.scaled_kernel(x.dtype)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class EqualizedConv2D(_Equalized):
    """NHWC convolution with equalized learning rate, optionally resampling by 2 (StyleGAN Appendix C).

    ``resample="up"``: nearest up-sampling then the convolution; ``resample="down"``: the convolution then
    2x2 averaging. With ``fused=True`` the same operation is one transposed (up) or strided (down)
    convolution whose 4x4 kernel is the 3x3 kernel padded and summed over its four shifts (times 1/4 for
    down-sampling), as the official implementation does at 128 px and above. Both forms compute the
    same function and have the same parameters (the official fused up-sampling omits the kernel flip
    that makes this exact, which only re-parametrises the layer).
    """

    def __init__(
        self,
        units,
        kernel_size=3,
        resample=None,  # None, "up" or "down"
        fused=False,  # fuse the resampling into the convolution
        **kwargs,
    ):
        super().__init__(units, **kwargs)
        if resample not in (None, "up", "down"):
            raise ValueError(f"resample must be None, 'up' or 'down', got {resample!r}")
        self.kernel_size = int(kernel_size)
        self.resample = resample
        self.fused = bool(fused) and resample is not None

    def build(self, input_shape):
        in_channels = int(input_shape[-1])
        k = self.kernel_size
        self._make_weights((k, k, in_channels, self.units), k * k * in_channels)

    def _fused_kernel(self, w):
        """Pad the kernel by one and sum its four shifts: the 4x4 kernel of a fused resampling conv."""
        w = tf.pad(w, [[1, 1], [1, 1], [0, 0], [0, 0]])
        return w[1:, 1:] + w[:-1, 1:] + w[1:, :-1] + w[:-1, :-1]

    def call(self, x):
        w = self.scaled_kernel(x.dtype)
        if self.resample == "up" and self.fused:
            shape = tf.shape(x)
            # conv2d_transpose takes [k, k, out, in] and correlates with the spatially flipped kernel;
            # flipping it here makes the fused form equal to up-sampling then convolving.
            w = tf.transpose(self._fused_kernel(w)[::-1, ::-1], [0, 1, 3, 2])
            out_shape = tf.stack([shape[0], shape[1] * 2, shape[2] * 2, self.units])
            x = tf.nn.conv2d_transpose(x, w, out_shape, strides=2, padding="SAME")
        elif self.resample == "down" and self.fused:
            x = tf.nn.conv2d(x, self._fused_kernel(w) * 0.25, strides=2, padding="SAME")
        else:
            if self.resample == "up":
                x = upsample2d(x)
            x = tf.nn.conv2d(x, w, strides=1, padding="SAME")
            if self.resample == "down":
                x = downsample2d(x)
        return self.add_bias(x)

    def compute_output_shape(self, input_shape):
        n, h, w = input_shape[0], input_shape[1], input_shape[2]
        if self.resample == "up":
            h, w = h * 2, w * 2
        elif self.resample == "down":
            h, w = h // 2, w // 2
        return (n, h, w, self.units)

    def get_config(self):
        config = super().get_config()
        config.update(kernel_size=self.kernel_size, resample=self.resample, fused=self.fused)
        return config
