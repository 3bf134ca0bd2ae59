"""Independent numpy reference implementations used by the tests (loops, no TensorFlow)."""

import numpy as np


def conv2d_same(x, w):
    """Plain correlation with zero 'same' padding. x [N,H,W,Ci], w [k,k,Ci,Co] (k odd)."""
    n, h, wd, _ = x.shape
    k = w.shape[0]
    p = k // 2
    xp = np.pad(x, [(0, 0), (p, p), (p, p), (0, 0)])
    out = np.zeros((n, h, wd, w.shape[3]), dtype=np.float64)
    for i in range(h):
        for j in range(wd):
            patch = xp[:, i : i + k, j : j + k, :]
            out[:, i, j, :] = np.einsum("nabc,abcd->nd", patch, w)
    return out


def upsample_nearest(x):
    """Each pixel repeated into a 2x2 block."""
    return x.repeat(2, axis=1).repeat(2, axis=2)


def box_downsample(x):
    """Average of each 2x2 block."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def lrelu(x):
    return np.where(x >= 0, x, 0.2 * x)


def uint8_images(images):
    """[-1, 1] images -> uint8 as NVIDIA's tools: floor(x * 127.5 + 128), clipped to [0, 255]."""
    return np.clip(np.floor(np.asarray(images, np.float64) * 127.5 + 128), 0, 255).astype(np.uint8)


def assert_same_image(actual, expected):
    """Equal up to float rounding: computed in batches of other sizes, a value may land on the other side of
    a uint8 step (the convolutions sum in another order), so a few pixels may differ by one level, none by more."""
    difference = np.abs(np.asarray(actual).astype(int) - np.asarray(expected).astype(int))
    assert difference.max() <= 1 and (difference > 0).mean() <= 0.01, (difference.max(), (difference > 0).mean())
