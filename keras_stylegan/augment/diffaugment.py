"""Differentiable Augmentation (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training",
Sec. 3 and App. A): the same random transformations of every image D sees, reals and fakes, in D's and G's
steps, differentiable so that G's gradient passes through them.

Three policies, each drawn anew for every image:

- ``color``: brightness + U[-0.5, 0.5), saturation x U[0, 2) (the deviation of each pixel from its channel
  mean), contrast x U[0.5, 1.5) (the deviation from the image mean);
- ``translation``: a shift by whole pixels, uniform in [-S/8, S/8] on each axis (S the image size), the
  uncovered border filled with zeros;
- ``cutout``: a square of half the image size set to zero, its centre uniform over the image (up to half of
  it may fall outside).

Images are in [-1, 1], so the zeros of translation and cutout are mid-grey. Each transformation is a function
of explicit parameters (tested against numpy) and :func:`diffaugment` draws them from a ``tf.random.Generator``.
"""

import tensorflow as tf

POLICIES = ("color", "translation", "cutout")
TRANSLATION_RATIO = 1 / 8  # largest shift, as a fraction of the image size
CUTOUT_RATIO = 1 / 2  # side of the cutout square, as a fraction of the image size


def parse_policy(text):
    """``"color,translation,cutout"`` -> a tuple of policy names in the given order; a ValueError naming the
    unknown ones or repeated ones. The empty string gives ()."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(f"unknown DiffAugment policies {unknown}; choose from {', '.join(POLICIES)}.")
    if len(set(names)) != len(names):
        raise ValueError(f"a DiffAugment policy is named twice in {text!r}.")
    return names


def adjust_brightness(images, amount):
    """Add ``amount`` [B] to every pixel."""
    return images + amount[:, None, None, None]


def adjust_saturation(images, factor):
    """Scale each pixel's deviation from the mean of its channels by ``factor`` [B]."""
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    return (images - mean) * factor[:, None, None, None] + mean


def adjust_contrast(images, factor):
    """Scale each pixel's deviation from the image's mean (over rows, columns and channels) by ``factor`` [B]."""
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * factor[:, None, None, None] + mean


def translate(images, dx, dy):
    """Move each image by ``dx`` [B] pixels to the right and ``dy`` [B] down (int32): output (i, j) is input
    (i - dy, j - dx), zero where that falls outside."""
    size_y, size_x = images.shape[1], images.shape[2]
    dx, dy = tf.convert_to_tensor(dx, tf.int32), tf.convert_to_tensor(dy, tf.int32)
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])  # index 0 and size + 1 are the zero border

    def source(size, shift):
        return tf.clip_by_value(tf.range(size)[None, :] - shift[:, None] + 1, 0, size + 1)

    shifted = tf.gather(padded, source(size_y, dy), axis=1, batch_dims=1)
    return tf.gather(shifted, source(size_x, dx), axis=2, batch_dims=1)


def cutout(images, top, left, size):
    """Zero the ``size`` x ``size`` square whose top-left pixel is (``top``, ``left``) [B] int32 (it may start
    above or left of the image and extend beyond it)."""
    top, left = tf.convert_to_tensor(top, tf.int32), tf.convert_to_tensor(left, tf.int32)
    rows = tf.range(images.shape[1])[None, :]
    cols = tf.range(images.shape[2])[None, :]
    inside_rows = (rows >= top[:, None]) & (rows < top[:, None] + size)
    inside_cols = (cols >= left[:, None]) & (cols < left[:, None] + size)
    inside = inside_rows[:, :, None] & inside_cols[:, None, :]
    return images * tf.cast(~inside, images.dtype)[..., None]


def _color(images, rng, batch):
    images = adjust_brightness(images, rng.uniform([batch]) - 0.5)
    images = adjust_saturation(images, rng.uniform([batch]) * 2.0)
    return adjust_contrast(images, rng.uniform([batch]) + 0.5)


def _translation(images, rng, batch):
    shift_y = int(images.shape[1] * TRANSLATION_RATIO)
    shift_x = int(images.shape[2] * TRANSLATION_RATIO)
    dy = rng.uniform([batch], -shift_y, shift_y + 1, tf.int32)
    dx = rng.uniform([batch], -shift_x, shift_x + 1, tf.int32)
    return translate(images, dx, dy)


def _cutout(images, rng, batch):
    """The square's centre is a pixel centre (odd side) or a pixel corner (even side), uniform over the image."""
    size = int(images.shape[1] * CUTOUT_RATIO)
    top = rng.uniform([batch], 0, images.shape[1] + 1 - size % 2, tf.int32) - size // 2
    left = rng.uniform([batch], 0, images.shape[2] + 1 - size % 2, tf.int32) - size // 2
    return cutout(images, top, left, size)


_DRAW = {"color": _color, "translation": _translation, "cutout": _cutout}


def diffaugment(images, policy, rng):
    """``images`` [B, H, W, C] (H = W) through the ``policy`` names in order, every parameter drawn per image from
    the ``tf.random.Generator`` ``rng``; float32 out, differentiable with respect to ``images``."""
    images = tf.cast(images, tf.float32)
    batch = tf.shape(images)[0]
    for name in policy:
        images = _DRAW[name](images, rng, batch)
    return images
