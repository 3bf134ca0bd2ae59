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
    """A square uint8 ``[R, R, C]`` image -> ``{r: uint8 [r, r, C]}`` for every ``r`` in 4..R."""
    resolution = image.shape[0]
    sums = image.astype(np.int64)
    count = 1
    levels = {}
    for r in reversed(resolutions_up_to(resolution)):
        if r != resolution:
            sums = sums[0::2, 0::2] + sums[0::2, 1::2] + sums[1::2, 0::2] + sums[1::2, 1::2]
            count *= 4
        levels[r] = ((sums + count // 2) // count).astype(np.uint8)
    return levels
