"""SWD (ProGAN App. D) against a plain numpy re-implementation written here from the paper's description,
and its behaviour: 0 for a set against itself, growing with blur and noise."""

import numpy as np
import pytest

from keras_stylegan.metrics import swd


def reference_swd(a, b, seed):
    """ProGAN's SWD with loops: 5x5 binomial kernel, mirror padding, 7x7 neighbourhoods, per-channel
    normalisation, 4 x 128 unit directions; the random draws in the order the module documents."""
    kernel = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0

    def convolve(image, weights):  # one HWC image, 'mirror' borders
        padded = np.pad(image, ((2, 2), (2, 2), (0, 0)), mode="reflect")
        out = np.zeros_like(image)
        for i in range(image.shape[0]):
            for j in range(image.shape[1]):
                out[i, j] = np.einsum("hw,hwc->c", weights, padded[i:i + 5, j:j + 5])
        return out

    def pyramid(image):
        levels, size = [image.astype(np.float64)], image.shape[0]
        while size > 16:
            down = convolve(levels[-1], kernel)[::2, ::2]
            up = np.zeros_like(levels[-1])
            up[::2, ::2] = down
            levels[-1] = levels[-1] - convolve(up, 4 * kernel)
            levels.append(down)
            size //= 2
        return levels

    rng = np.random.RandomState(seed)
    sizes = [a.shape[1] // 2 ** k for k in range(int(np.log2(a.shape[1] // 16)) + 1)]
    positions = []
    directions = []
    for size in sizes:
        positions.append(rng.randint(0, size - 6, size=(len(a), 128, 2)))
        d = rng.standard_normal((4, 128, 49 * a.shape[-1]))
        directions.append(d / np.linalg.norm(d, axis=-1, keepdims=True))
    per_level = []
    pyramids = [[pyramid(image) for image in images] for images in (a, b)]
    for level, size in enumerate(sizes):
        sets = []
        for images in pyramids:
            descriptors = np.array([images[n][level][r:r + 7, c:c + 7]
                                    for n in range(len(images)) for r, c in positions[level][n]])
            mean = descriptors.mean(axis=(0, 1, 2))
            std = descriptors.std(axis=(0, 1, 2))
            sets.append(((descriptors - mean) / std).reshape(len(descriptors), -1))
        distances = []
        for direction in directions[level].reshape(-1, sets[0].shape[1]):
            distances.append(np.mean(np.abs(np.sort(sets[0] @ direction) - np.sort(sets[1] @ direction))))
        per_level.append(1e3 * np.mean(distances))
    return per_level


def shapes(count, size=32, seed=0):
    """Images of random coloured rectangles on random backgrounds (structure at every scale)."""
    rng = np.random.RandomState(seed)
    images = np.empty((count, size, size, 3), np.uint8)
    for image in images:
        image[:] = rng.randint(0, 256, 3)
        for _ in range(4):
            top, left = rng.randint(0, size - 4, 2)
            height, width = rng.randint(3, size // 2, 2)
            image[top:top + height, left:left + width] = rng.randint(0, 256, 3)
    return images


def test_matches_an_independent_numpy_implementation():
    a, b = shapes(6, seed=1), shapes(6, seed=2)
    ours = swd.swd([a[:4], a[4:]], [b], 6, 32, 3, seed=5)
    expected = reference_swd(a, b, seed=5)
    assert list(ours) == ["swd_32", "swd_16", "swd"]
    np.testing.assert_allclose([ours["swd_32"], ours["swd_16"]], expected, rtol=1e-4)
    np.testing.assert_allclose(ours["swd"], np.mean(expected), rtol=1e-4)


def test_a_set_against_itself_is_zero_and_batching_does_not_matter():
    a = shapes(32)
    assert swd.swd([a], [a[:5], a[5:]], 32, 32, 3)["swd"] == pytest.approx(0.0, abs=1e-9)
    b = shapes(32, seed=3)
    one = swd.swd([a], [b], 32, 32, 3)
    np.testing.assert_allclose(list(swd.swd([a[:7], a[7:]], [b[:16], b[16:]], 32, 32, 3).values()),
                               list(one.values()), rtol=1e-5)


def _blur(images, passes):
    out = images.astype(np.float32)
    for _ in range(passes):
        out = swd._filter(out, swd._BINOMIAL)
    return np.rint(out).astype(np.uint8)


def test_grows_monotonically_with_blur_and_with_noise():
    reals = shapes(24)
    noise = np.random.RandomState(9).standard_normal(reals.shape)
    blurred = [swd.swd([reals], [_blur(reals, passes)], 24, 32, 3)["swd"] for passes in (0, 1, 2, 4)]
    noisy = [swd.swd([reals], [np.clip(reals + sigma * noise, 0, 255).astype(np.uint8)], 24, 32, 3)["swd"]
             for sigma in (0, 8, 24, 64)]
    assert blurred[0] == pytest.approx(0.0, abs=1e-9) and noisy[0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(blurred) > 0), blurred
    assert np.all(np.diff(noisy) > 0), noisy


def test_below_16_px_one_level_and_too_few_images_is_an_error():
    a = shapes(8, size=8)
    assert list(swd.swd([a], [a], 8, 8, 3)) == ["swd_8", "swd"]
    with pytest.raises(ValueError, match="needs 8 images"):
        swd.swd([a[:4]], [a], 8, 8, 3)
