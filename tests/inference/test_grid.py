"""Image grids: layout, value mapping and enlargement, checked on hand-made arrays."""

import numpy as np
from PIL import Image

from keras_stylegan.inference.grid import grid_shape, make_grid, save_grid


def test_grid_shape_is_near_square():
    assert grid_shape(1) == (1, 1)
    assert grid_shape(4) == (2, 2)
    assert grid_shape(5) == (3, 2)
    assert grid_shape(36) == (6, 6)


def test_values_map_from_minus_one_one_to_bytes_and_tiles_land_in_place():
    images = np.stack([np.full((2, 2, 3), v, np.float32) for v in (-1.0, 0.0, 1.0, 2.0)])
    grid = make_grid(images, min_size=2, gap=1)
    assert grid.shape == (5, 5, 3) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0  # -1 -> 0
    assert grid[0, 3, 0] == 128  # 0 -> 127.5 rounds to 128
    assert grid[3, 0, 0] == 255  # 1 -> 255
    assert grid[3, 3, 0] == 255  # 2 is clipped
    assert grid[2, :, :].max() == 0 and grid[:, 2, :].max() == 0  # the gaps


def test_small_images_are_enlarged_by_nearest_neighbour(tmp_path):
    image = np.array([[[-1.0], [1.0]], [[1.0], [-1.0]]], np.float32)[None]
    grid = save_grid(image, tmp_path / "g.png")
    assert grid.shape == (64, 64, 1)
    assert grid[:32, :32].max() == 0 and grid[:32, 32:].min() == 255
    assert Image.open(tmp_path / "g.png").size == (64, 64)
