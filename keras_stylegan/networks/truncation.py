"""The truncation trick in W (StyleGAN Sec. 3.2 / Appendix B).

w' = w_avg + psi * (w - w_avg), applied to the first ``cutoff`` (coarsest) layers' styles only: psi = 1
is the identity, psi = 0 gives the average w (the "mean face"), psi < 0 the "anti-face" (Fig. 8).
"""

import tensorflow as tf

from keras_stylegan.interpolation import lerp


def truncate(ws, w_avg, truncation_psi, truncation_cutoff):
    """Truncated per-layer styles: ``ws`` [N, L, D], ``w_avg`` [D], ``truncation_psi`` a scalar or [N]
    (one psi per sample), ``truncation_cutoff`` the number of layers truncated (>= L: all)."""
    ws = tf.cast(ws, tf.float32)
    psi = tf.cast(truncation_psi, tf.float32)
    psi = tf.reshape(psi, [-1, 1, 1]) if psi.shape.rank == 1 else psi
    layer = tf.range(tf.shape(ws)[1])[None, :, None]
    coefs = tf.where(layer < truncation_cutoff, psi, tf.ones_like(psi))
    return lerp(tf.cast(w_avg, tf.float32), ws, coefs)
