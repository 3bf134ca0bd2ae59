"""The multi-resolution pyramid of one image: 2x2 box averages down to 4x4.

ProGAN (Karras et al. 2018, App. A) trains each stage on reals downsampled to the stage's resolution;
the official ``dataset_tool.py`` stores one TFRecord set per resolution, each lower one the 2x2 box
average of the one above, carried in float32 between levels and rounded to uint8 only when written.

Here the sums are exact integers: level ``r`` holds, for every pixel, the sum ``S`` of the ``n = k*k``
final-resolution pixels it covers (``k = R / r``), and stores ``(S + n // 2) // n``: the exact mean
rounded half up. That is the 2x2 box average of the unrounded level above, so rounding errors never
accumulate from level to level (it equals the official float32 result up to float error).
"""

import numpy as np


def resolutions_up_to(resolution):
    """``[4, 8, ..., resolution]`` for a power of two ``resolution >= 4``."""
    if resolution < 4 or resolution & (resolution - 1):
        raise ValueError(f"resolution must be a power of two >= 4, got {resolution}.")
    return [4 << i for i in range(resolution.bit_length() - 2)]


def pyramid(image):
    """A square uint8 ``[R, R, C]`` image -> ``{r: uint8 [r, r, C]}`` for every ``r`` in 4..R.

    Sums are uint32 (at most 255 * 1024**2 for R = 1024); dividing by ``n = 4**k`` with rounding half
    up is ``(S + n / 2) >> 2k``.
    """
    resolution = image.shape[0]
    sums = image
    shift = 0
    levels = {}
    for r in reversed(resolutions_up_to(resolution)):
        if r == resolution:
            levels[r] = image
            continue
        rows = np.add(sums[0::2], sums[1::2], dtype=np.uint32)  # pairs of rows, then pairs of columns
        sums = rows[:, 0::2] + rows[:, 1::2]
        shift += 2
        levels[r] = ((sums + (1 << (shift - 1))) >> shift).astype(np.uint8)
    return levels
