"""What a projection minimises: an image distance, and the penalty that keeps optimised noise inputs noise.

Distances (each ``distance(images, prepared_targets) -> [N]`` on images in [-1, 1], the targets prepared
once by ``distance.prepare(targets)``):

- ``lpips``: LPIPS-VGG16 (Zhang et al. 2018), what NVIDIA's and rosinality's projectors minimise, from
  weights the user gives as an ``.npz`` (:mod:`keras_stylegan.metrics.lpips`; nothing is downloaded).
  Images larger than 256 px are area-downsampled to 256 px first, as both projectors do (VGG16 was trained on
  224 px images).
- ``ms_ssim_l1`` (the default, needs no download): ``0.84 (1 - MS-SSIM) + 0.16 L1``, the mix of Zhao et al.
  2017 ("Loss Functions for Image Restoration with Neural Networks", Sec. 3.3), with MS-SSIM as
  :mod:`keras_stylegan.metrics.ms_ssim` defines it (Gaussian window 11 / 1.5 on pixel values 0-255, the
  scales the image size allows; images below its 11 px window enlarged by repeating pixels) and L1 the mean
  absolute difference of pixel values in [0, 1]. MS-SSIM
  compares local means, contrasts and structure at several scales, the L1 term keeps colours and flat areas
  right, where MS-SSIM is insensitive. It is a hand-made measure, not a learned one: LPIPS was fitted to
  human judgements of which of two distorted patches is closer to a reference and agrees with them more
  often than SSIM-type measures do (Zhang et al. 2018, Sec. 4-5); both are 0 / 1 for identical images.

:func:`noise_regularization` is the noise inputs' autocorrelation penalty of StyleGAN2's projector (Karras
et al. 2020, App. D): the squared mean product of each noise image with itself shifted by one pixel
horizontally and vertically, summed over a pyramid of the image 2x2-averaged down to 8x8; without it the
noise inputs learn to carry the target's content. :func:`normalize_noise` gives every noise image zero
mean and unit variance after each step, as the projector does.
"""

import os

import tensorflow as tf

from keras_stylegan.errors import UserError
from keras_stylegan.metrics import ms_ssim
from keras_stylegan.metrics.lpips import LPIPS

LOSSES = ("ms_ssim_l1", "lpips")
LPIPS_MAX_SIZE = 256  # larger images are area-downsampled to this side for LPIPS


def _to_pixels(images):
    """[-1, 1] -> pixel values 0-255, float32."""
    return (tf.cast(images, tf.float32) + 1.0) * 127.5


class MsSsimL1:
    """``0.84 (1 - MS-SSIM) + 0.16 L1`` (Zhao et al. 2017); see the module docstring."""

    name = "ms_ssim_l1"

    def __init__(
        self,
        alpha=0.84,  # weight of the MS-SSIM term (Zhao et al. 2017); 1 - alpha weighs L1
    ):
        self.alpha = float(alpha)

    @staticmethod
    def _pixels(images):
        """Pixel values 0-255; images smaller than MS-SSIM's 11 px window enlarged by repeating pixels."""
        pixels, size = _to_pixels(images), images.shape[1]
        if size < ms_ssim.WINDOW:
            factor = -(-ms_ssim.WINDOW // size)
            pixels = tf.repeat(tf.repeat(pixels, factor, axis=1), factor, axis=2)
        return pixels

    def prepare(self, targets):
        return self._pixels(targets)

    def __call__(self, images, prepared):
        pixels = self._pixels(images)
        similarity = ms_ssim.ms_ssim_tf(pixels, prepared)
        l1 = tf.reduce_mean(tf.abs(pixels - prepared), axis=[1, 2, 3]) / 255.0
        return self.alpha * (1.0 - similarity) + (1.0 - self.alpha) * l1


class LpipsDistance:
    """LPIPS-VGG16 of images area-downsampled to at most 256 px; the targets' features are computed once."""

    name = "lpips"

    def __init__(self, path):
        if not path or not os.path.isfile(path):
            raise UserError(f"--loss=lpips needs LPIPS-VGG16 weights (got {path or 'none'}): pass --lpips=PATH.npz, "
                            "made as the README's 'Quality metrics' section shows, or use --loss=ms_ssim_l1, "
                            "which needs no download.")
        self.lpips = LPIPS(path)

    @staticmethod
    def _downsampled(images):
        size = images.shape[1]
        if size is not None and size > LPIPS_MAX_SIZE:
            factor = size // LPIPS_MAX_SIZE
            images = tf.nn.avg_pool2d(images, factor, factor, "VALID")
        return tf.cast(images, tf.float32)

    def prepare(self, targets):
        return self.lpips.features(self._downsampled(targets))

    def __call__(self, images, prepared):
        return self.lpips.distance_of_features(self.lpips.features(self._downsampled(images)), prepared)


def make_distance(name, lpips_path=None):
    """The distance ``name`` (one of LOSSES); ``lpips_path``: the LPIPS-VGG16 weights of ``lpips``."""
    if name == "lpips":
        return LpipsDistance(lpips_path)
    if name == "ms_ssim_l1":
        return MsSsimL1()
    raise UserError(f"the loss must be one of {', '.join(LOSSES)}, got {name!r}.")


def noise_regularization(noise):
    """The autocorrelation penalty [N] of noise images ``noise`` (a list of [N, H, W, 1])."""
    total = 0.0
    for image in noise:
        while True:
            for axis in (1, 2):
                total += tf.reduce_mean(image * tf.roll(image, shift=1, axis=axis), axis=[1, 2, 3]) ** 2
            if image.shape[1] <= 8:
                break
            image = tf.nn.avg_pool2d(image, 2, 2, "VALID")
    return total


def normalize_noise(noise):
    """Each noise image [N, H, W, 1] of ``noise`` with zero mean and unit variance, image by image."""
    normalized = []
    for image in noise:
        image = image - tf.reduce_mean(image, axis=[1, 2, 3], keepdims=True)
        normalized.append(image * tf.math.rsqrt(tf.reduce_mean(tf.square(image), axis=[1, 2, 3], keepdims=True)))
    return normalized
