"""The progressive discriminator, mirror of the synthesis network (ProGAN Sec. 3, Table 2; StyleGAN App. C)."""

import keras
import tensorflow as tf

from keras_stylegan.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_stylegan.layers.norm import MinibatchStddev
from keras_stylegan.layers.resample import Blur, downsample2d
from keras_stylegan.networks.architecture_model import ArchitectureModel
from keras_stylegan.networks.synthesis import is_stable, lerp


def _lrelu(x):
    return tf.nn.leaky_relu(x, alpha=0.2)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Discriminator(ArchitectureModel):
    """D: fromRGB at the stage resolution -> per-resolution (conv3x3 -> blur -> down-sampling conv3x3)
    -> at 4x4 minibatch stddev -> conv3x3 -> dense(nf(0)) -> dense(1).

    During a fade-in (ProGAN Fig. 2) what enters the next lower block is
    lerp(fromRGB(2x2-averaged image), newest block's output, alpha). With labels the output is the dot
    product of a ``label_size`` output with the labels (official conditional D). ``Discriminator()``
    with no arguments is NVIDIA's FFHQ 1024x1024 configuration.
    """

    def __init__(
        self,
        config=None,  # ArchitectureConfig, its dict, or None for the FFHQ 1024 defaults
        **kwargs,
    ):
        super().__init__(config, **kwargs)
        config = self.config
        policy = self.dtype_policy
        self.blur = Blur(dtype=policy, name="blur")
        self.from_rgb = []  # one per resolution, 4 .. final
        self.convs = []  # per resolution >= 8: [conv3x3, down-sampling conv3x3]
        for res in config.resolutions:
            channels = config.channels_at(res)
            rgb = EqualizedConv2D(channels, 1, dtype=policy, name=f"from_rgb{res}")
            rgb.build((None, res, res, config.num_channels))
            self.from_rgb.append(rgb)
            if res > 4:
                conv0 = EqualizedConv2D(channels, 3, dtype=policy, name=f"conv{res}")
                conv0.build((None, res, res, channels))
                conv1 = EqualizedConv2D(
                    config.channels_at(res // 2), 3, resample="down", fused=config.is_fused(res),
                    dtype=policy, name=f"conv{res}_down",
                )
                conv1.build((None, res, res, channels))
                self.convs.append([conv0, conv1])
        channels = config.channels_at(4)
        self.mbstd = MinibatchStddev(
            config.mbstd_group_size, config.mbstd_num_features, dtype=policy, name="mbstd"
        )
        mbstd_features = config.mbstd_num_features if config.mbstd_group_size > 1 else 0
        self.conv4 = EqualizedConv2D(channels, 3, dtype=policy, name="conv4")
        self.conv4.build((None, 4, 4, channels + mbstd_features))
        self.dense0 = EqualizedDense(config.nf(0), dtype=policy, name="dense0")
        self.dense0.build((None, 16 * channels))
        self.dense1 = EqualizedDense(max(config.label_size, 1), gain=1.0, dtype=policy, name="dense1")
        self.dense1.build((None, config.nf(0)))
        self.built = True

    def _block(self, x, res):
        """The block working at ``res`` (>= 8): conv3x3 -> blur -> down-sampling conv3x3, leaky ReLU."""
        conv0, conv1 = self.convs[res.bit_length() - 4]
        x = _lrelu(conv0(x))
        return _lrelu(conv1(self.blur(x)))

    def call(
        self,
        images,
        labels=None,
        stage=None,  # Python int resolution of ``images``; None = final
        alpha=1.0,  # fade-in weight of the stage's newest block
        training=False,
    ):
        stage = self.config.check_stage(stage)
        images = tf.cast(images, self.compute_dtype)
        x = _lrelu(self.from_rgb[stage.bit_length() - 3](images))
        res = stage
        while res > 4:
            x = self._block(x, res)
            if res == stage and not is_stable(alpha):
                lower = _lrelu(self.from_rgb[stage.bit_length() - 4](downsample2d(images)))
                x = lerp(lower, x, alpha)
            res //= 2
        if self.config.mbstd_group_size > 1:
            x = self.mbstd(x)
        x = _lrelu(self.conv4(x))
        x = _lrelu(self.dense0(tf.reshape(x, [-1, 16 * x.shape[-1]])))
        x = self.dense1(x)
        if self.config.label_size:
            if labels is None:
                raise ValueError(
                    f"this network is conditional (label_size={self.config.label_size}): pass labels."
                )
            x = tf.reduce_sum(x * tf.cast(labels, x.dtype), axis=1, keepdims=True)
        return x
