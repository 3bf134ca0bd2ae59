"""ADA's augmentation pipeline "bgc" (Karras et al. 2020, "Training Generative Adversarial Networks with Limited
Data", Sec. 2.3, App. B and Fig. 2): pixel blitting (b), general geometric (g) and colour (c) transformations,
each applied to an image with probability p, the augmentation strength.

In order: x-flip, rotation by a multiple of 90 degrees, integer translation by up to 1/8 of the image;
isotropic scaling (log2-normal, std 0.2), a rotation by a uniform angle, anisotropic scaling (log2-normal, std
0.2), another uniform rotation (each of the two with probability 1 - sqrt(1 - p), so that "some rotation"
has probability p), fractional translation (normal, std 1/8 of the image); brightness (add a normal, std 0.2),
contrast (multiply by a log2-normal, std 0.5), luma flip (reflect through the plane orthogonal to the luma axis,
with probability 1/2), hue rotation (about the luma axis by a uniform angle) and saturation (scale the
component orthogonal to the luma axis by a log2-normal, std 1). Images are in [-1, 1], so contrast scales about
mid-grey. The geometric transformations compose into one matrix and the image is resampled once (geometry.warp,
which moves pixels exactly for flips, quarter turns and integer translations); the colour transformations
compose into one 4x4 matrix on (r, g, b, 1).

Non-leaking (Sec. 2.2): each transformation is one of a family that, applied with probability p < 1, leaves
the distribution of the un-augmented images recoverable from that of the augmented ones, so matching the
augmented distributions makes G match the data's. The closer p gets to 1 the weaker that hold becomes (the
paper sees leaks from about p = 0.8 on): the adaptive controller (ada_controller.py) keeps p in
[0, ``AugmentConfig.ada_p_max``], 0.8 unless set otherwise.
"""

import math

import numpy as np
import tensorflow as tf

from keras_stylegan.augment import geometry

XINT_MAX = 0.125  # integer translation: uniform in +-XINT_MAX of the image size, rounded to pixels
SCALE_STD = 0.2  # isotropic scaling: 2 ** N(0, SCALE_STD^2)
ANISO_STD = 0.2  # anisotropic scaling: x by 2 ** N(0, ANISO_STD^2), y by its inverse
XFRAC_STD = 0.125  # fractional translation: N(0, XFRAC_STD^2) of the image size
BRIGHTNESS_STD = 0.2  # brightness: + N(0, BRIGHTNESS_STD^2) on [-1, 1] images
CONTRAST_STD = 0.5  # contrast: x 2 ** N(0, CONTRAST_STD^2)
SATURATION_STD = 1.0  # saturation: x 2 ** N(0, SATURATION_STD^2)
_LUMA = np.array([[1.0], [1.0], [1.0], [0.0]], np.float32) / np.float32(math.sqrt(3.0))  # luma axis in (r, g, b, 1)
_LUMA_OUTER = _LUMA @ _LUMA.T  # projection onto the luma axis
_CHROMA = np.diag([1.0, 1.0, 1.0, 0.0]).astype(np.float32) - _LUMA_OUTER  # projection onto the plane orthogonal to it


def _homogeneous(linear, offset):
    """[B, 4, 4] colour matrices from [B, 3, 3] linear parts and [B, 3] offsets."""
    top = tf.concat([linear, offset[:, :, None]], axis=2)
    bottom = tf.broadcast_to(tf.constant([[[0.0, 0.0, 0.0, 1.0]]]), [tf.shape(linear)[0], 1, 4])
    return tf.concat([top, bottom], axis=1)


def brightness(b):
    """[B, 4, 4]: add ``b`` [B] to every channel."""
    return _homogeneous(tf.eye(3, batch_shape=[tf.shape(b)[0]]), tf.stack([b, b, b], axis=1))


def contrast(c):
    """[B, 4, 4]: multiply every channel by ``c`` [B] (about 0, mid-grey)."""
    return _homogeneous(tf.eye(3, batch_shape=[tf.shape(c)[0]]) * c[:, None, None], tf.zeros([tf.shape(c)[0], 3]))


def luma_flip(flip):
    """[B, 4, 4]: where ``flip`` [B] is 1, the Householder reflection I - 2 v v^T through the plane orthogonal to
    the luma axis v = (1, 1, 1) / sqrt(3) (grey levels invert, hues stay)."""
    return tf.eye(4) - 2.0 * _LUMA_OUTER * flip[:, None, None]


def hue_rotation(theta):
    """[B, 4, 4]: rotation by ``theta`` [B] radians about the luma axis (Rodrigues' formula)."""
    v = _LUMA[:3, 0]
    cross = np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]], np.float32)
    cos, sin = tf.cos(theta)[:, None, None], tf.sin(theta)[:, None, None]
    linear = cos * tf.eye(3) + sin * cross + (1.0 - cos) * _LUMA_OUTER[:3, :3]
    return _homogeneous(linear, tf.zeros([tf.shape(theta)[0], 3]))


def saturation(s):
    """[B, 4, 4]: keep the luma component, multiply the component orthogonal to the luma axis by ``s`` [B]
    (written I + (s - 1) P with P the projection onto the plane orthogonal to the luma axis, so that s = 1
    gives exactly the identity)."""
    return tf.eye(4) + _CHROMA * (s[:, None, None] - 1.0)


def apply_color(images, matrix):
    """``matrix`` [B, 4, 4] applied to every pixel's (r, g, b, 1) of float32 ``images`` [B, H, W, 3]; a grey
    image [B, H, W, 1] is transformed as (x, x, x) and averaged back to one channel."""
    channels = images.shape[-1]
    rgb = tf.tile(images, [1, 1, 1, 3]) if channels == 1 else images
    out = tf.einsum("bij,bhwj->bhwi", matrix[:, :3, :3], rgb) + matrix[:, None, None, :3, 3]
    return tf.reduce_mean(out, axis=-1, keepdims=True) if channels == 1 else out


class Draws:
    """The random numbers of one batch: ``uniform`` [B, UNIFORM] in [0, 1) and ``normal`` [B, NORMAL] standard
    normal, one column per use (the names below), so that the whole pipeline is a function of them and p."""

    UNIFORM = ("xflip", "xflip_side", "rotate90", "rotate90_turns", "xint", "xint_x", "xint_y", "scale", "rotate",
               "rotate_angle", "aniso", "rotate2", "rotate2_angle", "xfrac", "brightness", "contrast", "lumaflip",
               "lumaflip_side", "hue", "hue_angle", "saturation")
    NORMAL = ("scale", "aniso", "xfrac_x", "xfrac_y", "brightness", "contrast", "saturation")

    def __init__(self, uniform, normal):
        self.uniform, self.normal = uniform, normal

    @classmethod
    def draw(cls, rng, batch):
        """The numbers of ``batch`` images from the ``tf.random.Generator`` ``rng``."""
        return cls(rng.uniform([batch, len(cls.UNIFORM)]), rng.normal([batch, len(cls.NORMAL)]))

    def u(self, name):
        return self.uniform[:, self.UNIFORM.index(name)]

    def n(self, name):
        return self.normal[:, self.NORMAL.index(name)]

    def applies(self, name, probability):
        """[B] bool: the images that draw the transformation ``name`` (each with ``probability``)."""
        return self.u(name) < probability


def geometric_inverse(draws, p, height, width):
    """[B, 3, 3] inverse of the composed x-flip, quarter turns, integer translation, isotropic scaling, rotation,
    anisotropic scaling, rotation and fractional translation (applied in this order), each with its probability."""
    one, zero = tf.ones_like(draws.u("xflip")), tf.zeros_like(draws.u("xflip"))
    flip = tf.where(draws.applies("xflip", p), tf.floor(draws.u("xflip_side") * 2.0), zero)
    inverse = geometry.scale(1.0 - 2.0 * flip, one)  # its own inverse
    turns = tf.where(draws.applies("rotate90", p), tf.cast(tf.floor(draws.u("rotate90_turns") * 4.0), tf.int32), 0)
    inverse = inverse @ geometry.quarter_turn(-turns)
    shift = tf.where(draws.applies("xint", p)[:, None],
                     tf.stack([draws.u("xint_x"), draws.u("xint_y")], axis=1) * (2.0 * XINT_MAX) - XINT_MAX, 0.0)
    inverse = inverse @ geometry.translate(-tf.round(shift[:, 0] * width), -tf.round(shift[:, 1] * height))
    s = tf.where(draws.applies("scale", p), tf.pow(2.0, draws.n("scale") * SCALE_STD), one)
    inverse = inverse @ geometry.scale(1.0 / s, 1.0 / s)
    p_rotate = 1.0 - tf.sqrt(tf.clip_by_value(1.0 - p, 0.0, 1.0))
    theta = tf.where(draws.applies("rotate", p_rotate), (draws.u("rotate_angle") * 2.0 - 1.0) * math.pi, zero)
    inverse = inverse @ geometry.rotate(-theta)
    s = tf.where(draws.applies("aniso", p), tf.pow(2.0, draws.n("aniso") * ANISO_STD), one)
    inverse = inverse @ geometry.scale(1.0 / s, s)
    theta = tf.where(draws.applies("rotate2", p_rotate), (draws.u("rotate2_angle") * 2.0 - 1.0) * math.pi, zero)
    inverse = inverse @ geometry.rotate(-theta)
    shift = tf.where(draws.applies("xfrac", p)[:, None],
                     tf.stack([draws.n("xfrac_x"), draws.n("xfrac_y")], axis=1) * XFRAC_STD, 0.0)
    return inverse @ geometry.translate(-shift[:, 0] * width, -shift[:, 1] * height)


def color_matrix(draws, p):
    """[B, 4, 4] composed brightness, contrast, luma flip, hue rotation and saturation (in this order)."""
    one, zero = tf.ones_like(draws.u("brightness")), tf.zeros_like(draws.u("brightness"))
    matrix = brightness(tf.where(draws.applies("brightness", p), draws.n("brightness") * BRIGHTNESS_STD, zero))
    matrix = contrast(tf.where(draws.applies("contrast", p), tf.pow(2.0, draws.n("contrast") * CONTRAST_STD),
                               one)) @ matrix
    matrix = luma_flip(tf.where(draws.applies("lumaflip", p), tf.floor(draws.u("lumaflip_side") * 2.0), zero)) @ matrix
    theta = tf.where(draws.applies("hue", p), (draws.u("hue_angle") * 2.0 - 1.0) * math.pi, zero)
    matrix = hue_rotation(theta) @ matrix
    s = tf.where(draws.applies("saturation", p), tf.pow(2.0, draws.n("saturation") * SATURATION_STD), one)
    return saturation(s) @ matrix


@tf.function(jit_compile=True)
def _augment(images, p, uniform, normal):
    """The pipeline given its draws, compiled by XLA (a few hundred small operations fused)."""
    draws = Draws(uniform, normal)
    images = geometry.warp(images, geometric_inverse(draws, p, images.shape[1], images.shape[2]))
    return apply_color(images, color_matrix(draws, p))


def ada_augment(images, p, rng):
    """The bgc pipeline at strength ``p`` (scalar in [0, 1]) on [B, S, S, C] images (C = 1 or 3), drawing from the
    ``tf.random.Generator`` ``rng``; float32 out, differentiable with respect to ``images``. p = 0 returns the
    images unchanged."""
    images = tf.cast(images, tf.float32)
    draws = Draws.draw(rng, tf.shape(images)[0])
    return _augment(images, tf.cast(p, tf.float32), draws.uniform, draws.normal)
