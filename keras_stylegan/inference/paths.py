"""Latent paths through keyframes for interpolation videos (StyleGAN Sec. 4.1): spherical in Z, linear in W.

z is normalised before the mapping network, so a path in Z follows the sphere (slerp); W has no such
normalisation and is interpolated linearly (lerp), as StyleGAN's perceptual path length does.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.interpolation import lerp, slerp


def interpolation_steps(keyframes, steps, loop):
    """(start, end, t) for every frame: ``steps`` frames from each keyframe towards the next (t in [0, 1)),
    back to the first one when ``loop``, else ending on the last keyframe itself."""
    if keyframes < 2 or steps < 1:
        raise ValueError("an interpolation needs at least 2 keyframes and 1 step between them.")
    ends = list(range(1, keyframes)) + ([0] if loop else [])
    frames = [(end - 1 if end else keyframes - 1, end, k / steps) for end in ends for k in range(steps)]
    return frames if loop else frames + [(keyframes - 2, keyframes - 1, 1.0)]


def _path(interpolate, keyframes, steps, loop):
    keyframes = tf.convert_to_tensor(keyframes, tf.float32)
    start, end, t = (np.asarray(column) for column in zip(*interpolation_steps(len(keyframes), steps, loop)))
    t = t.astype(np.float32).reshape([-1] + [1] * (keyframes.shape.rank - 1))
    return interpolate(tf.gather(keyframes, start), tf.gather(keyframes, end), t).numpy()


def z_path(zs, steps, loop=True):
    """Frames [T, z_dim] along great circles through the latents ``zs`` [K, z_dim] (slerp; unit length,
    which the mapping network's pixel norm makes equivalent to any length)."""
    return _path(slerp, zs, steps, loop)


def w_path(ws, steps, loop=True):
    """Frames [T, num_layers, w_dim] along straight lines through the styles ``ws`` [K, num_layers, w_dim]."""
    return _path(lerp, ws, steps, loop)
