"""Image grids: a batch of images tiled into one picture, as the snapshots of the official training loop,
and the row-by-column canvases the paper's figures are laid out on."""

import math

import numpy as np

from keras_stylegan.inference.image_io import write_png


def grid_shape(count):
    """Columns and rows of a near-square grid holding ``count`` images (wider than tall when not square)."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    return cols, rows


def enlarge(images, factor):
    """Images (HWC, or NHWC) enlarged ``factor`` times by nearest neighbour, so that tiny stages stay visible."""
    if factor == 1:
        return images
    return images.repeat(factor, axis=-3).repeat(factor, axis=-2)


def tile(
    rows,  # list of rows, each a list of uint8 HWC images of one size, or None for an empty cell
    gap=0,  # pixels between cells
    background=255,  # value of empty cells and gaps (255 white, 0 black)
):
    """One uint8 canvas holding ``rows`` cell by cell (the paper's figures are white, without gaps)."""
    cell = next(image for row in rows for image in row if image is not None)
    height, width, channels = cell.shape
    cols = max(len(row) for row in rows)
    canvas = np.full((len(rows) * (height + gap) - gap, cols * (width + gap) - gap, channels), background, np.uint8)
    for y, row in enumerate(rows):
        for x, image in enumerate(row):
            if image is not None:
                canvas[y * (height + gap): y * (height + gap) + height,
                       x * (width + gap): x * (width + gap) + width] = image
    return canvas


def make_grid(
    images,
    drange=(-1.0, 1.0),  # value range of the input that maps to [0, 255]
    min_size=64,  # each image is enlarged (nearest neighbour) to at least this many pixels
    gap=1,  # pixels of black between images
    cols=None,  # images per row; None: a near-square grid (grid_shape)
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
    images = enlarge(images, max(1, math.ceil(min_size / max(images.shape[1:3]))))
    cols = cols or grid_shape(len(images))[0]
    return tile([list(images[start:start + cols]) for start in range(0, len(images), cols)], gap=gap, background=0)


def save_grid(images, path, drange=(-1.0, 1.0), cols=None):
    """Write ``make_grid(images, drange, cols=cols)`` as a PNG file and return the grid array."""
    grid = make_grid(images, drange=drange, cols=cols)
    write_png(path, grid)
    return grid
