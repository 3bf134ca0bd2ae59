"""The synthesis network g, grown progressively (StyleGAN Sec. 2, Fig. 1b; ProGAN Sec. 3)."""

import keras
import tensorflow as tf

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.layers.adain import AdaIN
from keras_stylegan.layers.constant import ConstantInput
from keras_stylegan.layers.equalized import EqualizedConv2D
from keras_stylegan.layers.noise import NoiseInjection, check_noise_mode
from keras_stylegan.layers.resample import Blur, upsample2d


def lerp(a, b, t):
    """a + (b - a) * t: ProGAN's fade-in blend (Sec. 3, Fig. 2)."""
    return a + (b - a) * tf.cast(t, a.dtype)


def is_stable(alpha):
    """True when alpha is the Python constant 1 (no fade-in to compute)."""
    return isinstance(alpha, (int, float)) and alpha == 1


@keras.saving.register_keras_serializable(package="keras_stylegan")
class LayerEpilogue(keras.layers.Layer):
    """What follows each convolution of g: noise "B", bias, leaky ReLU(0.2), AdaIN with style "A" (Fig. 1b)."""

    def __init__(
        self,
        channels,
        resolution,
        dlatent_size,
        layer_index,  # which w of the per-layer styles this epilogue takes
        use_noise=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.resolution = int(resolution)
        self.dlatent_size = int(dlatent_size)
        self.layer_index = int(layer_index)
        self.use_noise = bool(use_noise)
        if self.use_noise:
            self.noise = NoiseInjection(
                channels, resolution, seed_index=layer_index, dtype=self.dtype_policy, name="noise"
            )
        self.bias = self.add_weight(name="bias", shape=(self.channels,), initializer="zeros")
        self.adain = AdaIN(channels, dlatent_size, dtype=self.dtype_policy, name="adain")
        self.built = True

    def call(self, x, ws, noise_mode="random", seed=None):
        if self.use_noise:
            x = self.noise(x, noise_mode=noise_mode, seed=seed)
        x = tf.nn.leaky_relu(x + tf.cast(self.bias, x.dtype), alpha=0.2)
        return self.adain(x, ws[:, self.layer_index])

    def get_config(self):
        return {
            **super().get_config(),
            "channels": self.channels,
            "resolution": self.resolution,
            "dlatent_size": self.dlatent_size,
            "layer_index": self.layer_index,
            "use_noise": self.use_noise,
        }


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Synthesis(keras.layers.Layer):
    """g: learned 4x4 constant -> per-resolution blocks styled by one w per layer -> toRGB.

    4x4: const -> epilogue -> conv3x3 -> epilogue. Each further resolution: up-sampling conv3x3 -> blur ->
    epilogue -> conv3x3 -> epilogue. A 1x1 toRGB (gain 1) exists at every resolution; every block exists
    from construction. Called at a ``stage`` resolution with ``alpha`` in [0, 1], the image is
    lerp(upsample(toRGB(previous block)), toRGB(current block), alpha) (ProGAN Fig. 2).
    """

    def __init__(
        self,
        config,  # ArchitectureConfig or its dict
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = config = ArchitectureConfig.coerce(config)
        policy = self.dtype_policy
        # The constant and the epilogue that normalises it stay in float32 under mixed precision: the
        # constant has zero spatial variance at first, so instance norm multiplies its gradient by
        # 1/sqrt(eps) = 1e4, which overflows float16 and stalls dynamic loss scaling.
        self.const = ConstantInput(config.channels_at(4), dtype="float32", name="const")
        self.blur = Blur(dtype=policy, name="blur")
        self.convs = []  # the convolution in front of layers 1 .. num_layers - 1
        self.epilogues = []  # one per layer
        self.to_rgb = []  # one per resolution
        in_channels = config.channels_at(4)
        for res in config.resolutions:
            channels = config.channels_at(res)
            first = 2 * (res.bit_length() - 3)  # index of the first layer at this resolution
            if res > 4:
                up = EqualizedConv2D(
                    channels, 3, resample="up", fused=config.is_fused(res), use_bias=False,
                    dtype=policy, name=f"conv{first}_up",
                )
                up.build((None, res // 2, res // 2, in_channels))
                self.convs.append(up)
            conv = EqualizedConv2D(channels, 3, use_bias=False, dtype=policy, name=f"conv{first + 1}")
            conv.build((None, res, res, channels))
            self.convs.append(conv)
            for index in (first, first + 1):
                self.epilogues.append(
                    LayerEpilogue(
                        channels, res, config.dlatent_size, index, use_noise=config.use_noise,
                        dtype="float32" if index == 0 else policy, name=f"epilogue{index}",
                    )
                )
            rgb = EqualizedConv2D(config.num_channels, 1, gain=1.0, dtype=policy, name=f"to_rgb{res}")
            rgb.build((None, res, res, channels))
            self.to_rgb.append(rgb)
            in_channels = channels
        self.built = True

    def call(self, ws, stage=None, alpha=1.0, noise_mode="random", seed=None):
        """Images [N, stage, stage, C] from per-layer styles ``ws`` [N, >= layers at stage, dlatent]."""
        check_noise_mode(noise_mode)
        stage = self.config.check_stage(stage)
        ws = tf.cast(ws, self.compute_dtype)
        x = self.const(tf.shape(ws)[0])
        x = self.epilogues[0](x, ws, noise_mode=noise_mode, seed=seed)
        x = self.epilogues[1](self.convs[0](x), ws, noise_mode=noise_mode, seed=seed)
        previous = x
        for block in range(1, stage.bit_length() - 2):
            previous = x
            x = self.blur(self.convs[2 * block - 1](x))
            x = self.epilogues[2 * block](x, ws, noise_mode=noise_mode, seed=seed)
            x = self.epilogues[2 * block + 1](self.convs[2 * block](x), ws, noise_mode=noise_mode, seed=seed)
        index = stage.bit_length() - 3
        images = self.to_rgb[index](x)
        if stage > 4 and not is_stable(alpha):
            images = lerp(upsample2d(self.to_rgb[index - 1](previous)), images, alpha)
        return images

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
