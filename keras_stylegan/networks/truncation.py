"""The truncation trick in W (StyleGAN Sec. 3.2 / Appendix B).

w' = w_avg + psi * (w - w_avg), applied to the first ``cutoff`` (coarsest) layers' styles only: psi = 1
is the identity, psi = 0 gives the average w (the "mean face"), psi < 0 the "anti-face" (Fig. 8).
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.errors import UserError
from keras_stylegan.interpolation import lerp

PSI_RANGE = (-1.0, 2.0)  # psi outside it extrapolates far beyond anything the network was trained on
PSI_ERROR = (f"truncation_psi must be in [{PSI_RANGE[0]:g}, {PSI_RANGE[1]:g}] "
             "(1 = no truncation, 0 = the average w, negative = the 'anti' image)")


def check_truncation_psi(truncation_psi):
    """``truncation_psi`` if every value lies in PSI_RANGE; a UserError for a value known now, and for a
    value only known when a graph runs, a run-time check (InvalidArgumentError) tied to the result."""
    static = tf.get_static_value(truncation_psi)
    if static is not None:
        static = np.asarray(static, np.float64)
        if not np.all((static >= PSI_RANGE[0]) & (static <= PSI_RANGE[1])):
            raise UserError(f"{PSI_ERROR}, got {static.tolist()}.")
        return truncation_psi
    psi = tf.cast(truncation_psi, tf.float32)
    inside = tf.reduce_all((psi >= PSI_RANGE[0]) & (psi <= PSI_RANGE[1]))
    with tf.control_dependencies([tf.debugging.Assert(inside, [PSI_ERROR + ", got", psi])]):
        return tf.identity(psi)


def truncate(ws, w_avg, truncation_psi, truncation_cutoff):
    """Truncated per-layer styles: ``ws`` [N, L, D], ``w_avg`` [D], ``truncation_psi`` a scalar or [N]
    (one psi per sample), ``truncation_cutoff`` the number of layers truncated (>= L: all)."""
    ws = tf.cast(ws, tf.float32)
    psi = tf.cast(check_truncation_psi(truncation_psi), tf.float32)
    psi = tf.reshape(psi, [-1, 1, 1]) if psi.shape.rank == 1 else psi
    layer = tf.range(tf.shape(ws)[1])[None, :, None]
    coefs = tf.where(layer < truncation_cutoff, psi, tf.ones_like(psi))
    return lerp(tf.cast(w_avg, tf.float32), ws, coefs)
