"""StyleGAN's building blocks, one concept a file."""

from keras_stylegan.layers.adain import AdaIN, instance_norm
from keras_stylegan.layers.constant import ConstantInput
from keras_stylegan.layers.equalized import EqualizedConv2D, EqualizedDense
from keras_stylegan.layers.noise import NOISE_MODES, NoiseInjection
from keras_stylegan.layers.norm import MinibatchStddev, PixelNorm
from keras_stylegan.layers.resample import Blur, binomial_kernel, downsample2d, upsample2d

__all__ = [
    "AdaIN",
    "Blur",
    "ConstantInput",
    "EqualizedConv2D",
    "EqualizedDense",
    "MinibatchStddev",
    "NOISE_MODES",
    "NoiseInjection",
    "PixelNorm",
    "binomial_kernel",
    "downsample2d",
    "instance_norm",
    "upsample2d",
]
