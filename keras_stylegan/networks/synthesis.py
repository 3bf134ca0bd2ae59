"""The synthesis network g, grown progressively (StyleGAN Sec. 2, Fig. 1b; ProGAN Sec. 3).

One block per resolution, named by it as NVIDIA's variable scopes are (``b4`` holds what the official
``4x4`` scope does, ``b8`` the ``8x8`` one, ...), each with its styled layers and its toRGB; weight paths
read ``synthesis/b8/conv0_up/conv/kernel``, so a checkpoint or an importer maps names, not positions.
"""

import keras
import tensorflow as tf

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.layers.adain import AdaIN
from keras_stylegan.layers.constant import ConstantInput
from keras_stylegan.layers.equalized import EqualizedConv2D
from keras_stylegan.layers.noise import NoiseInjection, check_noise_mode
from keras_stylegan.layers.resample import Blur, upsample2d
from keras_stylegan.networks.fade_in import fade_in


@keras.saving.register_keras_serializable(package="keras_stylegan")
class StyledLayer(keras.layers.Layer):
    """One layer of g (Fig. 1b): its input -> noise "B" -> bias -> leaky ReLU(0.2) -> AdaIN with style "A".

    The input is the learned 4x4 constant (``in_channels=None``, official ``4x4/Const``), a 3x3 conv of the
    previous layer's output (``Conv``, ``Conv1``), or a 3x3 conv after nearest up-sampling followed by the
    binomial blur (``up=True``, official ``Conv0_up``). The conv has no bias of its own: the layer's bias
    is added after the noise, as in the official ``layer_epilogue``.
    """

    def __init__(
        self,
        channels,  # feature maps of the output
        resolution,  # spatial size of the output
        dlatent_size,  # dimension of w
        layer_index,  # which of the per-layer styles ws[:, i] this layer takes
        in_channels=None,  # feature maps of the input; None = the learned constant is the input
        up=False,  # nearest up-sampling by 2 in the conv, then blur
        fused=False,  # the up-sampling conv as one transposed conv (official at >= 128 px)
        use_noise=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.resolution = int(resolution)
        self.dlatent_size = int(dlatent_size)
        self.layer_index = int(layer_index)
        self.in_channels = None if in_channels is None else int(in_channels)
        self.up = bool(up)
        self.fused = bool(fused)
        self.use_noise = bool(use_noise)
        policy = self.dtype_policy
        with keras.name_scope(self.name):
            if self.in_channels is None:
                self.const = ConstantInput(self.channels, dtype=policy, name="const")
            else:
                self.conv = EqualizedConv2D(
                    self.channels, 3, resample="up" if self.up else None, fused=self.fused, use_bias=False,
                    dtype=policy, name="conv",
                )
                in_size = self.resolution // 2 if self.up else self.resolution
                self.conv.build((None, in_size, in_size, self.in_channels))
                if self.up:
                    self.blur = Blur(dtype=policy, name="blur")
            if self.use_noise:
                self.noise = NoiseInjection(
                    self.channels, self.resolution, seed_index=self.layer_index, dtype=policy, name="noise"
                )
            self.adain = AdaIN(self.channels, self.dlatent_size, dtype=policy, name="adain")
        self.bias = self.add_weight(name="bias", shape=(self.channels,), initializer="zeros")
        self.built = True

    def call(self, x, ws, noise_mode="random", seed=None, noise=None):
        """``x``: the previous layer's output, or the batch size for the constant layer. ``noise``: None, or
        the noise images of every styled layer (see :meth:`Synthesis.call`), of which this layer takes its own."""
        if self.in_channels is None:
            x = self.const(x)
        else:
            x = self.conv(tf.cast(x, self.compute_dtype))
            if self.up:
                x = self.blur(x)
        if self.use_noise:
            x = self.noise(x, noise_mode=noise_mode, seed=seed,
                           noise=None if noise is None else noise[self.layer_index])
        x = tf.nn.leaky_relu(x + tf.cast(self.bias, x.dtype), alpha=0.2)
        return self.adain(x, ws[:, self.layer_index])

    def get_config(self):
        return {
            **super().get_config(),
            "channels": self.channels,
            "resolution": self.resolution,
            "dlatent_size": self.dlatent_size,
            "layer_index": self.layer_index,
            "in_channels": self.in_channels,
            "up": self.up,
            "fused": self.fused,
            "use_noise": self.use_noise,
        }


@keras.saving.register_keras_serializable(package="keras_stylegan")
class SynthesisBlock(keras.layers.Layer):
    """The block of g at one resolution (official scope ``{res}x{res}``) and its toRGB.

    4x4: ``const`` (the learned constant, styled) -> ``conv`` (3x3, styled). Above: ``conv0_up``
    (up-sampling 3x3 conv + blur, styled) -> ``conv1`` (3x3, styled). ``to_rgb``: 1x1 conv, gain 1
    (official ``ToRGB_lod{k}``). Styles ws[:, 2k] and ws[:, 2k + 1] for the k-th block (4x4 is block 0).
    """

    def __init__(
        self,
        config,  # ArchitectureConfig or its dict
        resolution,  # the block's output resolution
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = config = ArchitectureConfig.coerce(config)
        self.resolution = res = int(resolution)
        channels = config.channels_at(res)
        first = 2 * (res.bit_length() - 3)  # style index of the block's first layer
        common = dict(resolution=res, dlatent_size=config.dlatent_size, use_noise=config.use_noise)
        policy = self.dtype_policy
        with keras.name_scope(self.name):
            if res == 4:
                # The constant and its epilogue stay in float32 under mixed precision: the constant has zero
                # spatial variance at first, so instance norm multiplies its gradient by 1/sqrt(eps) = 1e4,
                # which overflows float16 and stalls dynamic loss scaling.
                self.const = StyledLayer(channels, layer_index=first, dtype="float32", name="const", **common)
                self.conv = StyledLayer(channels, layer_index=first + 1, in_channels=channels, dtype=policy,
                                        name="conv", **common)
            else:
                self.conv0_up = StyledLayer(channels, layer_index=first, in_channels=config.channels_at(res // 2),
                                            up=True, fused=config.is_fused(res), dtype=policy, name="conv0_up",
                                            **common)
                self.conv1 = StyledLayer(channels, layer_index=first + 1, in_channels=channels, dtype=policy,
                                         name="conv1", **common)
            self.to_rgb = EqualizedConv2D(config.num_channels, 1, gain=1.0, dtype=policy, name="to_rgb")
            self.to_rgb.build((None, res, res, channels))
        self.built = True

    @property
    def styled_layers(self):
        """The block's two styled layers, input side first."""
        return [self.const, self.conv] if self.resolution == 4 else [self.conv0_up, self.conv1]

    def call(self, x, ws, noise_mode="random", seed=None, noise=None):
        """Features at this resolution from the previous block's (or, at 4x4, the batch size)."""
        for layer in self.styled_layers:
            x = layer(x, ws, noise_mode=noise_mode, seed=seed, noise=noise)
        return x

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict(), "resolution": self.resolution}


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Synthesis(keras.layers.Layer):
    """g: blocks ``b4``, ``b8``, ... up to the final resolution, each styled by two ws, every block and
    toRGB existing from construction. Called at a ``stage`` resolution with ``alpha`` in [0, 1], the image
    is fade_in(upsample(toRGB of the previous block), toRGB of the stage's block, alpha) (ProGAN Fig. 2).
    """

    def __init__(
        self,
        config,  # ArchitectureConfig or its dict
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = config = ArchitectureConfig.coerce(config)
        with keras.name_scope(self.name):
            self.blocks = [SynthesisBlock(config, res, dtype=self.dtype_policy, name=f"b{res}")
                           for res in config.resolutions]
        self.built = True

    def block(self, resolution):
        """The block working at ``resolution`` (official scope ``{resolution}x{resolution}``)."""
        return self.blocks[int(resolution).bit_length() - 3]

    @property
    def styled_layers(self):
        """Every styled layer, in style-index order (ws[:, i] drives the i-th)."""
        return [layer for block in self.blocks for layer in block.styled_layers]

    def noise_shapes(self, stage=None):
        """``[(resolution, resolution)]`` of the noise image of every styled layer active at ``stage``."""
        stage = self.config.check_stage(stage)
        return [(layer.resolution, layer.resolution) for layer in self.styled_layers if layer.resolution <= stage]

    def call(self, ws, stage=None, alpha=1.0, noise_mode="random", seed=None, noise=None):
        """Images [N, stage, stage, C] from per-layer styles ``ws`` [N, >= layers at stage, dlatent].

        ``noise``: None (the noise ``noise_mode`` says), or one noise image ``[N or 1, H, W, 1]`` per styled
        layer active at the stage, in style-index order (shapes: :meth:`noise_shapes`), used as they are (a
        projection optimises them, as NVIDIA's projector does).
        """
        check_noise_mode(noise_mode)
        stage = self.config.check_stage(stage)
        ws = tf.cast(ws, self.compute_dtype)
        x, previous = tf.shape(ws)[0], None
        for res in self.config.resolutions:
            if res > stage:
                break
            previous, x = x, self.block(res)(x, ws, noise_mode=noise_mode, seed=seed, noise=noise)
        images = self.block(stage).to_rgb(x)
        if stage > 4:
            images = fade_in(lambda: upsample2d(self.block(stage // 2).to_rgb(previous)), images, alpha)
        return images

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
