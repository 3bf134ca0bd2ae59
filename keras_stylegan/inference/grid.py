"""Image grids: a batch of images tiled into one picture, as the snapshots of the official training loop."""

import math

import numpy as np
from PIL import Image


def grid_shape(count):
    """Columns and rows of a near-square grid holding ``count`` images (wider than tall when not square)."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    return cols, rows


def make_grid(
    images,
    drange=(-1.0, 1.0),  # value range of the input that maps to [0, 255]
    min_size=64,  # each image is enlarged (nearest neighbour) to at least this many pixels
    gap=1,  # pixels of black between images
):
    """Tile NHWC images into one uint8 HWC array (ProGAN/StyleGAN ``misc.save_image_grid``).

    Values are mapped linearly from ``drange`` to [0, 255] and clipped; tiny stages are enlarged so that
    an 8x8 grid is still visible. One-channel images give a one-channel grid.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"make_grid expects NHWC images, got shape {images.shape}.")
    lo, hi = drange
    images = np.clip(np.rint((images - lo) * (255.0 / (hi - lo))), 0, 255).astype(np.uint8)
    count, height, width, channels = images.shape
    scale = max(1, math.ceil(min_size / max(height, width)))
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
        height, width = height * scale, width * scale
    cols, rows = grid_shape(count)
    grid = np.zeros((rows * (height + gap) - gap, cols * (width + gap) - gap, channels), np.uint8)
    for index in range(count):
        y, x = divmod(index, cols)
        grid[y * (height + gap): y * (height + gap) + height, x * (width + gap): x * (width + gap) + width] = images[index]
    return grid


def save_grid(images, path, drange=(-1.0, 1.0)):
    """Write ``make_grid(images)`` as a PNG file and return the grid array."""
    grid = make_grid(images, drange=drange)
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(path)
    return grid
