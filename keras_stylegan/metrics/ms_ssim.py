"""MS-SSIM diversity (Odena et al. 2017, as reported by ProGAN, Karras et al. 2018, Sec. 5 / Table 1).

Multi-scale structural similarity (Wang, Simoncelli & Bovik 2003) of two images: at every scale j the
contrast-structure term ``cs_j = mean((2 s_xy + C2) / (s_x^2 + s_y^2 + C2))`` and, at the coarsest scale,
the full SSIM ``mean(l * cs)`` with ``l = (2 m_x m_y + C1) / (m_x^2 + m_y^2 + C1)``; means, variances and
covariance under an 11x11 Gaussian window of standard deviation 1.5 ('valid' positions), C1 = (0.01 L)^2,
C2 = (0.03 L)^2 with L = 255, scales 2x2-averaged, and the product of the terms raised to the weights
(0.0448, 0.2856, 0.3001, 0.2363, 0.1333), each term clipped at 0, averaged over channels: the definition
``tf.image.ssim_multiscale`` computes. Images smaller than 176 px (where five scales need a window that
no longer fits) use the scales whose size is at least 11 px and the first weights, renormalised to sum 1.

:func:`ms_ssim_tf` is the same definition in TensorFlow, differentiable, for losses (the projector's): each
term is clipped at a small positive floor instead of 0, where the power of a weight below 1 has no gradient.

Diversity of a set: the mean MS-SSIM over random pairs (consecutive images of a shuffled or freshly
generated stream); lower means more varied. The reals' figure is the reference a generator should reach.
"""

import numpy as np
import tensorflow as tf

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
WINDOW = 11
SIGMA = 1.5
MAX_VALUE = 255.0
K1, K2 = 0.01, 0.03


def _gaussian_taps():
    x = np.arange(WINDOW, dtype=np.float64) - (WINDOW - 1) / 2
    taps = np.exp(-x * x / (2 * SIGMA * SIGMA))
    return taps / taps.sum()


def _window_mean(images):
    """Gaussian-weighted means over 11x11 windows at 'valid' positions of NHWC float64 images."""
    taps = _gaussian_taps()
    height, width = images.shape[1] - WINDOW + 1, images.shape[2] - WINDOW + 1
    rows = sum(t * images[:, k:k + height] for k, t in enumerate(taps))
    return sum(t * rows[:, :, k:k + width] for k, t in enumerate(taps))


def _terms(x, y):
    """(ssim, cs) per image and channel [N, C] at one scale."""
    c1, c2 = (K1 * MAX_VALUE) ** 2, (K2 * MAX_VALUE) ** 2
    mean_x, mean_y = _window_mean(x), _window_mean(y)
    var_x = _window_mean(x * x) - mean_x ** 2
    var_y = _window_mean(y * y) - mean_y ** 2
    cov = _window_mean(x * y) - mean_x * mean_y
    luminance = (2 * mean_x * mean_y + c1) / (mean_x ** 2 + mean_y ** 2 + c1)
    contrast_structure = (2 * cov + c2) / (var_x + var_y + c2)
    return (luminance * contrast_structure).mean(axis=(1, 2)), contrast_structure.mean(axis=(1, 2))


def _halve(images):
    """2x2 average (an odd last row or column is dropped)."""
    n, h, w, c = images.shape
    images = images[:, :h // 2 * 2, :w // 2 * 2]
    return images.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def num_scales(size):
    """Scales whose image size is at least the window: 5 from 176 px up."""
    if size < WINDOW:
        raise ValueError(f"MS-SSIM needs images of at least {WINDOW} px, got {size}.")
    scales = 0
    while scales < len(WEIGHTS) and size >= WINDOW:
        scales, size = scales + 1, size // 2
    return scales


def ms_ssim(x, y):
    """MS-SSIM per image pair [N] of NHWC images in [0, 255] (uint8 or float)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    scales = num_scales(min(x.shape[1], x.shape[2]))
    weights = np.asarray(WEIGHTS[:scales]) / np.sum(WEIGHTS[:scales])
    product = np.ones((x.shape[0], x.shape[3]))
    for scale, weight in enumerate(weights):
        ssim, contrast_structure = _terms(x, y)
        term = ssim if scale == scales - 1 else contrast_structure
        product = product * np.maximum(term, 0.0) ** weight
        x, y = _halve(x), _halve(y)
    return product.mean(axis=-1)


def ms_ssim_tf(x, y, floor=1e-4):
    """MS-SSIM per image pair [N] of float NHWC tensors in [0, 255], differentiable (terms clipped at ``floor``)."""
    x, y = tf.cast(x, tf.float32), tf.cast(y, tf.float32)
    channels = x.shape[-1]
    taps = tf.constant(_gaussian_taps(), tf.float32)
    rows = tf.tile(tf.reshape(taps, [WINDOW, 1, 1, 1]), [1, 1, channels, 1])
    cols = tf.tile(tf.reshape(taps, [1, WINDOW, 1, 1]), [1, 1, channels, 1])

    def window_mean(images):
        images = tf.nn.depthwise_conv2d(images, rows, [1, 1, 1, 1], "VALID")
        return tf.nn.depthwise_conv2d(images, cols, [1, 1, 1, 1], "VALID")

    c1, c2 = (K1 * MAX_VALUE) ** 2, (K2 * MAX_VALUE) ** 2
    scales = num_scales(min(x.shape[1], x.shape[2]))
    weights = np.asarray(WEIGHTS[:scales]) / np.sum(WEIGHTS[:scales])
    product = 1.0
    for scale, weight in enumerate(weights):
        mean_x, mean_y = window_mean(x), window_mean(y)
        var_x = window_mean(x * x) - mean_x ** 2
        var_y = window_mean(y * y) - mean_y ** 2
        cov = window_mean(x * y) - mean_x * mean_y
        term = (2 * cov + c2) / (var_x + var_y + c2)
        if scale == scales - 1:
            term *= (2 * mean_x * mean_y + c1) / (mean_x ** 2 + mean_y ** 2 + c1)
        product *= tf.maximum(tf.reduce_mean(term, axis=[1, 2]), floor) ** float(weight)
        x, y = tf.nn.avg_pool2d(x, 2, 2, "VALID"), tf.nn.avg_pool2d(y, 2, 2, "VALID")
    return tf.reduce_mean(product, axis=-1)


def diversity(batches, num_images):
    """Mean MS-SSIM over the pairs (images 2k, 2k+1) of the first ``num_images`` of ``batches``."""
    values, pending, seen = [], None, 0
    for batch in batches:
        batch = batch[:num_images - seen]
        seen += len(batch)
        if pending is not None:
            batch = np.concatenate([pending, batch])
        pairs = len(batch) // 2
        if pairs:
            values.append(ms_ssim(batch[0:2 * pairs:2], batch[1:2 * pairs:2]))
        pending = batch[2 * pairs:] if len(batch) % 2 else None
        if seen >= num_images:
            break
    if seen < 2:
        raise ValueError(f"MS-SSIM needs at least 2 images, got {seen}.")
    return float(np.mean(np.concatenate(values)))
