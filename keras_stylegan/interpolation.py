"""Interpolation between tensors: lerp (fade-in, Gs averaging, WGAN-GP, paths in W) and slerp (paths in Z).

StyleGAN (Karras et al. 2019, Sec. 4.1) interpolates latents linearly in W and spherically in Z, since
z is normalised before the mapping network; ProGAN's fade-in (Sec. 3) and the moving average of the
generator's weights are linear interpolations too.
"""

import tensorflow as tf


def lerp(a, b, t):
    """a + (b - a) * t: ``a`` at t = 0, ``b`` at t = 1 (t in ``a``'s dtype, broadcast)."""
    return a + (b - a) * tf.cast(t, a.dtype)


def slerp(a, b, t, epsilon=1e-7):
    """Spherical interpolation of the directions of ``a`` and ``b`` along the last axis (Shoemake 1985),
    as StyleGAN's PPL in Z: the result has unit norm; t = 0 gives a/|a|, t = 1 gives b/|b|."""
    a = tf.math.l2_normalize(a, axis=-1)
    b = tf.math.l2_normalize(b, axis=-1)
    t = tf.cast(t, a.dtype)
    cos = tf.clip_by_value(tf.reduce_sum(a * b, axis=-1, keepdims=True), -1.0, 1.0)
    omega = tf.acos(cos) * t
    c = tf.math.l2_normalize(b - a * cos, axis=-1, epsilon=epsilon)
    return a * tf.cos(omega) + c * tf.sin(omega)
