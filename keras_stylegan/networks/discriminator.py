"""The progressive discriminator, mirror of the synthesis network (ProGAN Sec. 3, Table 2; StyleGAN App. C).

One block per resolution, named by it (``b32`` holds what the official ``32x32`` scope and
``FromRGB_lod{k}`` do), so weight paths read ``discriminator/b32/conv1_down/kernel``.
"""

import keras
import tensorflow as tf

from keras_stylegan.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_stylegan.layers.norm import MinibatchStddev
from keras_stylegan.layers.resample import Blur, downsample2d
from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.networks.architecture_model import ArchitectureModel
from keras_stylegan.networks.fade_in import fade_in


def _lrelu(x):
    return tf.nn.leaky_relu(x, alpha=0.2)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class DiscriminatorBlock(keras.layers.Layer):
    """The block of D at one resolution and its fromRGB (1x1 conv, official ``FromRGB_lod{k}``).

    Above 4x4 (official ``{res}x{res}``): ``conv0`` (3x3) -> blur -> ``conv1_down`` (3x3 conv, then 2x2
    average; one strided 4x4 conv when fused), leaky ReLU after each. At 4x4: minibatch stddev ->
    ``conv`` (3x3) -> ``dense0`` (nf(0)) -> ``dense1`` (1 output, or ``label_size`` with labels).
    """

    def __init__(
        self,
        config,  # ArchitectureConfig or its dict
        resolution,  # the resolution of the block's input
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = config = ArchitectureConfig.coerce(config)
        self.resolution = res = int(resolution)
        channels = config.channels_at(res)
        policy = self.dtype_policy
        with keras.name_scope(self.name):
            self.from_rgb = EqualizedConv2D(channels, 1, dtype=policy, name="from_rgb")
            self.from_rgb.build((None, res, res, config.num_channels))
            if res > 4:
                self.conv0 = EqualizedConv2D(channels, 3, dtype=policy, name="conv0")
                self.conv0.build((None, res, res, channels))
                self.blur = Blur(dtype=policy, name="blur")
                self.conv1_down = EqualizedConv2D(
                    config.channels_at(res // 2), 3, resample="down", fused=config.is_fused(res), dtype=policy,
                    name="conv1_down",
                )
                self.conv1_down.build((None, res, res, channels))
            else:
                self.mbstd = MinibatchStddev(
                    config.mbstd_group_size, config.mbstd_num_features, dtype=policy, name="mbstd")
                mbstd_features = config.mbstd_num_features if config.mbstd_group_size > 1 else 0
                self.conv = EqualizedConv2D(channels, 3, dtype=policy, name="conv")
                self.conv.build((None, 4, 4, channels + mbstd_features))
                self.dense0 = EqualizedDense(config.nf(0), dtype=policy, name="dense0")
                self.dense0.build((None, 16 * channels))
                self.dense1 = EqualizedDense(max(config.label_size, 1), gain=1.0, dtype=policy, name="dense1")
                self.dense1.build((None, config.nf(0)))
        self.built = True

    def call(self, x):
        """Features at half this resolution (above 4x4), or the [N, max(label_size, 1)] output (at 4x4)."""
        if self.resolution > 4:
            x = _lrelu(self.conv0(x))
            return _lrelu(self.conv1_down(self.blur(x)))
        if self.config.mbstd_group_size > 1:
            x = self.mbstd(x)
        x = _lrelu(self.conv(x))
        x = _lrelu(self.dense0(tf.reshape(x, [-1, 16 * x.shape[-1]])))
        return self.dense1(x)

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict(), "resolution": self.resolution}


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Discriminator(ArchitectureModel):
    """D: fromRGB at the stage resolution -> blocks from the stage down to ``b4`` -> score.

    During a fade-in (ProGAN Fig. 2) what enters the next lower block is
    fade_in(fromRGB of the 2x2-averaged image, the stage block's output, alpha). With labels the output is
    the dot product of a ``label_size`` output with the labels (official conditional D).
    ``Discriminator()`` with no arguments is NVIDIA's FFHQ 1024x1024 configuration.
    """

    def __init__(
        self,
        config=None,  # ArchitectureConfig, its dict, or None for the FFHQ 1024 defaults
        **kwargs,
    ):
        super().__init__(config, **kwargs)
        with keras.name_scope(self.name):
            self.blocks = [DiscriminatorBlock(self.config, res, dtype=self.dtype_policy, name=f"b{res}")
                           for res in self.config.resolutions]
        self.built = True

    def block(self, resolution):
        """The block working at ``resolution`` (official scope ``{resolution}x{resolution}``)."""
        return self.blocks[int(resolution).bit_length() - 3]

    def call(
        self,
        images,
        labels=None,
        stage=None,  # Python int resolution of ``images``; None = final
        alpha=1.0,  # fade-in weight of the stage's newest block
        training=False,
    ):
        stage = self.config.check_stage(stage)
        if self.config.label_size and labels is None:
            raise ValueError(f"this network is conditional (label_size={self.config.label_size}): pass labels.")
        images = tf.cast(images, self.compute_dtype)
        x = _lrelu(self.block(stage).from_rgb(images))
        res = stage
        while res > 4:
            x = self.block(res)(x)
            if res == stage:
                x = fade_in(lambda: _lrelu(self.block(stage // 2).from_rgb(downsample2d(images))), x, alpha)
            res //= 2
        x = self.block(4)(x)
        if self.config.label_size:
            x = tf.reduce_sum(x * tf.cast(labels, x.dtype), axis=1, keepdims=True)
        return x
