"""augment_leak: turned images and shifted colours, on image sets whose answer is known by construction."""

import colorsys

import numpy as np
import pytest

from keras_stylegan.metrics import augment_leak as leak


def _upright(count, seed=0, size=16):
    """Orange faces: a disc, two dark eyes in the upper half, a dark mouth in the lower, on white; jittered."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size] + 0.5
    images = np.empty((count, size, size, 3))
    for n in range(count):
        dy, dx = rng.uniform(-1, 1, 2)
        image = np.full((size, size, 3), 255.0)
        image[(rows - 8 - dy) ** 2 + (cols - 8 - dx) ** 2 < 49] = (250, 160, 30)
        for centre in ((5.5 + dy, 5.5 + dx), (5.5 + dy, 10.5 + dx)):
            image[(rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 < 2] = (60, 40, 20)
        image[(np.abs(rows - 11 - dy) < 1) & (np.abs(cols - 8 - dx) < 3)] = (60, 40, 20)
        images[n] = np.clip(image + rng.normal(0, 8, image.shape), 0, 255)
    return images.astype(np.uint8)


def _batches(images, size=16):
    return [images[i:i + size] for i in range(0, len(images), size)]


def test_the_data_against_itself_shows_nothing():
    reals = _upright(64)
    result = leak.augment_leak(_batches(reals), _batches(_upright(64, seed=1)), 64)
    assert result["turned_reals"] == 0.0 and result["turned_fakes"] == 0.0
    assert result["hue_tv"] < 0.05 and result["luma_fakes"] == pytest.approx(result["luma_reals"], abs=2)


def test_quarter_turned_fakes_are_counted():
    reals, fakes = _upright(64), _upright(64, seed=2)
    fakes[16:] = np.stack([np.rot90(image, 1 + n % 3) for n, image in enumerate(fakes[16:])])  # 48 of 64 turned
    assert leak.augment_leak(_batches(reals), _batches(fakes), 64)["turned_fakes"] == pytest.approx(48 / 64)


def test_a_hue_rotation_and_a_luma_flip_show_in_the_colours():
    reals = _upright(32)
    shifted = np.empty_like(reals)
    for index in np.ndindex(reals.shape[:3]):  # every pixel's hue turned by 120 degrees, by colorsys
        h, s, v = colorsys.rgb_to_hsv(*(reals[index] / 255.0))
        shifted[index] = np.round(np.array(colorsys.hsv_to_rgb((h + 1 / 3) % 1.0, s, v)) * 255)
    result = leak.augment_leak(_batches(reals), _batches(shifted), 32)
    assert result["hue_tv"] > 0.9
    inverted = 255 - reals
    result = leak.augment_leak(_batches(reals), _batches(inverted), 32)
    assert result["luma_fakes"] == pytest.approx(255 - result["luma_reals"], abs=1e-6)


def test_the_hue_histogram_by_hand():
    pixels = np.array([[[[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]]]], np.float64)
    histogram = leak.hue_histogram(pixels)  # red 0, green 120, blue 240 degrees, each chroma 255; grey weight 0
    assert histogram[0] == histogram[12] == histogram[24] == pytest.approx(1 / 3) and histogram.sum() == 1.0
    assert leak.augment_leak([pixels[..., :1].astype(np.uint8)] * 1, [pixels[..., :1].astype(np.uint8)], 1)[
        "hue_tv"] == 0.0  # grey images have no hue


def test_endless_batches_are_read_only_as_far_as_needed():
    def endless():
        while True:
            yield _upright(16)

    result = leak.augment_leak(endless(), endless(), 40)  # the same 40 images on both sides
    assert result["turned_fakes"] == result["turned_reals"] and result["hue_tv"] == 0.0
    with pytest.raises(ValueError, match="augment_leak needs 40 images of each set, got 32"):
        leak.augment_leak(_batches(_upright(32)), endless(), 40)
