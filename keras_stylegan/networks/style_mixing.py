"""Style mixing (StyleGAN Sec. 3.1, Fig. 3): the coarse layers' styles from one latent, the rest from another.

Layers before ``crossover`` take their style from the first source, layers from ``crossover`` on from the
second. In the paper's Fig. 3, copying the styles of the coarse resolutions (4-8 px, layers 0-3) brings
pose, face shape and glasses, the middle ones (16-32 px, layers 4-7) smaller facial features and hair
style, the fine ones (64-1024 px, layers 8 and up) the colour scheme and microstructure.
"""

import tensorflow as tf

# Resolution bands of Fig. 3, as the range of resolutions each covers (both ends included).
BANDS = {"coarse": (4, 8), "middle": (16, 32), "fine": (64, 1 << 30)}


def mix(ws1, ws2, crossover):
    """Layers before ``crossover`` from ``ws1``, the rest from ``ws2`` ([N, L, D] each; crossover an int
    or an int tensor)."""
    layer = tf.range(tf.shape(ws1)[1])[None, :, None]
    return tf.where(layer < tf.cast(crossover, tf.int32), ws1, ws2)


def layers_of_band(band, num_layers):
    """Style layer indices of a Fig. 3 band ("coarse", "middle" or "fine") in a synthesis network with
    ``num_layers`` layers (two per resolution, 4x4 first)."""
    if band not in BANDS:
        raise ValueError(f"style band must be one of {sorted(BANDS)}, got {band!r}.")
    low, high = BANDS[band]
    return [i for i in range(num_layers) if low <= 4 << (i // 2) <= high]


def mix_layers(ws_base, ws_source, layers):
    """``ws_base`` with the styles of ``layers`` (indices) copied from ``ws_source``."""
    mask = tf.reshape(tf.reduce_any(tf.range(tf.shape(ws_base)[1])[:, None] == tf.constant(layers, tf.int32)[None, :],
                                    axis=1), [1, -1, 1])
    return tf.where(mask, ws_source, ws_base)
