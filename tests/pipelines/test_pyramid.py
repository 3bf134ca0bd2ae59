"""The multi-resolution pyramid against numpy block means (ProGAN App. A 2x2 box filter)."""

import numpy as np
import pytest

from pipelines.pyramid import pyramid, resolutions_up_to


def block_mean_rounded(image, r):
    """Mean of each (R/r x R/r) block in float64 (exact: a sum over 4^k pixels), rounded half up."""
    k = image.shape[0] // r
    means = image.astype(np.float64).reshape(r, k, r, k, -1).mean(axis=(1, 3))
    return np.floor(means + 0.5).astype(np.uint8)


def test_resolutions():
    assert resolutions_up_to(4) == [4]
    assert resolutions_up_to(64) == [4, 8, 16, 32, 64]
    for bad in (2, 48, 0):
        with pytest.raises(ValueError):
            resolutions_up_to(bad)


def test_every_level_is_the_rounded_block_mean():
    image = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    levels = pyramid(image)
    assert sorted(levels) == [4, 8, 16, 32]
    np.testing.assert_array_equal(levels[32], image)
    for r in (4, 8, 16):
        assert levels[r].dtype == np.uint8 and levels[r].shape == (r, r, 3)
        np.testing.assert_array_equal(levels[r], block_mean_rounded(image, r))


def test_halves_round_up():
    image = np.zeros((8, 8, 1), dtype=np.uint8)
    image[:2, 0:2, 0] = [[0, 0], [1, 1]]  # mean 0.5 -> 1
    image[:2, 2:4, 0] = [[1, 1], [1, 2]]  # mean 1.25 -> 1
    image[:2, 4:6, 0] = [[1, 2], [2, 2]]  # mean 1.75 -> 2
    image[:2, 6:8, 0] = [[2, 2], [1, 1]]  # mean 1.5 -> 2
    np.testing.assert_array_equal(pyramid(image)[4][0, :, 0], [1, 1, 2, 2])
