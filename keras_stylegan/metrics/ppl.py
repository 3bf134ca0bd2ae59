"""Perceptual path length (StyleGAN, Karras et al. 2019, Sec. 4.1).

For latents z0, z1 ~ N(0, I) and t ~ U(0, 1) ("full": the whole path) or t = 0 ("end": the path's end
points), the images at t and t + epsilon (epsilon = 1e-4) along the path are compared by a perceptual
distance d, and

    PPL = E[ d(g(path(t)), g(path(t + epsilon))) / epsilon^2 ]

where the path is slerp(z0, z1, .) in Z (then mapped to w) or lerp(f(z0), f(z1), .) in W
(keras_stylegan.interpolation). As in the paper's measurements: no truncation, the network's constant
noise (both images of a pair see the same noise), images at the network's full resolution, optionally
cropped to the central face region (rows 3/8 to 7/8, columns 2/8 to 6/8 of the image: the paper's crop for
FFHQ), area-downsampled to 256 px when larger, and only the values between the 1st and 99th percentile
(inclusive) averaged. The distance is pluggable: any callable (x, y) -> [N] on float images in [-1, 1];
LPIPS-VGG16 (``lpips.py``) is the paper's.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.interpolation import lerp, slerp
from keras_stylegan.layers.resample import downsample2d, upsample2d

EPSILON = 1e-4
SPACES = ("z", "w")
SAMPLINGS = ("full", "end")
MAX_SIZE = 256


def face_crop(images):
    """The central face region of NHWC images: rows 3/8 to 7/8, columns 2/8 to 6/8."""
    eighth = images.shape[1] // 8
    return images[:, 3 * eighth:7 * eighth, 2 * eighth:6 * eighth]


def percentile_mean(values, low=1, high=99):
    """Mean of the values between the ``low`` and ``high`` percentiles, both included."""
    values = np.asarray(values, np.float64)
    lo = np.percentile(values, low, method="lower")
    hi = np.percentile(values, high, method="higher")
    return float(values[(values >= lo) & (values <= hi)].mean())


def path_lengths(generator, distance, num_samples, batch_size, space="w", sampling="end", epsilon=EPSILON,
                 crop=False, seed=0, stage=None, alpha=None):
    """The per-sample values d / epsilon^2 [num_samples] (see the module docstring), images at ``stage``
    and ``alpha`` (default: the generator's sampling defaults)."""
    if space not in SPACES or sampling not in SAMPLINGS:
        raise ValueError(f"space must be one of {SPACES} and sampling one of {SAMPLINGS}, got {space!r}, {sampling!r}.")
    config = generator.config

    @tf.function
    def images_of_pairs(index, count):
        seeds = tf.random.experimental.stateless_split(tf.stack([tf.cast(seed, tf.int64), index]), 3)
        z = tf.random.stateless_normal([2, count, config.latent_size], seed=seeds[0])
        t = tf.random.stateless_uniform([count, 1], seed=seeds[1]) if sampling == "full" else tf.zeros([count, 1])
        t = tf.concat([t, t + epsilon], axis=0)
        if space == "z":
            ws = generator.map(slerp(tf.tile(z[0], [2, 1]), tf.tile(z[1], [2, 1]), t))
        else:
            w0, w1 = generator.map(z[0]), generator.map(z[1])
            ws = lerp(tf.tile(w0, [2, 1, 1]), tf.tile(w1, [2, 1, 1]), t[:, :, None])
        images = tf.cast(generator.synthesize(ws, stage=stage, alpha=alpha, noise_mode="const"), tf.float32)
        images = upsample2d(images, config.resolution // images.shape[1])
        if crop:
            images = face_crop(images)
        if images.shape[1] > MAX_SIZE:
            images = downsample2d(images, images.shape[1] // MAX_SIZE)
        return images[:count], images[count:]

    values = []
    for index, start in enumerate(range(0, num_samples, batch_size)):
        a, b = images_of_pairs(tf.constant(index, tf.int64), min(batch_size, num_samples - start))
        values.append(np.asarray(distance(a, b), np.float64) / epsilon ** 2)
    return np.concatenate(values)


def ppl(generator, distance, num_samples, batch_size, space="w", sampling="end", crop=False, seed=0, stage=None,
        alpha=None):
    """PPL: the 1st-99th percentile mean of :func:`path_lengths`."""
    return percentile_mean(path_lengths(generator, distance, num_samples, batch_size, space, sampling,
                                        crop=crop, seed=seed, stage=stage, alpha=alpha))
