"""PPL (StyleGAN Sec. 4.1) and LPIPS-VGG16: LPIPS against a numpy computation of the documented network on
narrow random weights in the documented npz layout, PPL's epsilon scaling, percentile filter and crop."""

import keras
import numpy as np
import pytest

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.errors import UserError
from keras_stylegan.metrics import MetricInputs, MetricOptions, evaluate, lpips, ppl
from noisy import with_noise

WIDTHS = (4, 6, 8, 8, 8)  # narrow stand-ins for VGG16's 64, 128, 256, 512, 512


def write_weights(path, seed=0):
    rng = np.random.RandomState(seed)
    arrays, previous = {}, 3
    for b, count in enumerate(lpips.BLOCKS):
        for i in range(count):
            arrays[f"conv{b + 1}_{i + 1}/kernel"] = rng.normal(0, 0.4, (3, 3, previous, WIDTHS[b])).astype(np.float32)
            arrays[f"conv{b + 1}_{i + 1}/bias"] = rng.normal(0, 0.1, WIDTHS[b]).astype(np.float32)
            previous = WIDTHS[b]
        arrays[f"lin{b}"] = rng.uniform(0, 1, WIDTHS[b]).astype(np.float32)
    np.savez(path, **arrays)
    return arrays


def reference_lpips(arrays, x, y):
    """The module docstring's computation, in float64 numpy with explicit 3x3 shifts."""
    def conv(image, kernel, bias):
        padded = np.pad(image, ((0, 0), (1, 1), (1, 1), (0, 0)))
        h, w = image.shape[1:3]
        out = sum(padded[:, i:i + h, j:j + w] @ kernel[i, j] for i in range(3) for j in range(3))
        return np.maximum(out + bias, 0)

    def features(image):
        image = (image - np.array([-0.030, -0.088, -0.188])) / np.array([0.458, 0.448, 0.450])
        taps = []
        for b, count in enumerate((2, 2, 3, 3, 3)):
            if b:
                n, h, w, c = image.shape
                image = image.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
            for i in range(count):
                image = conv(image, arrays[f"conv{b + 1}_{i + 1}/kernel"], arrays[f"conv{b + 1}_{i + 1}/bias"])
            taps.append(image / (np.sqrt((image ** 2).sum(axis=-1, keepdims=True)) + 1e-10))
        return taps

    return sum(((a - b) ** 2 @ arrays[f"lin{k}"]).mean(axis=(1, 2))
               for k, (a, b) in enumerate(zip(features(x), features(y))))


def test_lpips_matches_a_numpy_computation_in_the_documented_layout(tmp_path):
    arrays = write_weights(tmp_path / "lpips.npz")
    rng = np.random.RandomState(1)
    x, y = rng.uniform(-1, 1, (3, 32, 32, 3)), rng.uniform(-1, 1, (3, 32, 32, 3))
    distance = lpips.LPIPS(str(tmp_path / "lpips.npz"))
    np.testing.assert_allclose(distance(x, y).numpy(), reference_lpips(arrays, x, y), rtol=1e-4)
    assert np.all(distance(x, x).numpy() == 0)


def test_lpips_without_weights_or_with_an_incomplete_file_is_one_clear_error(tmp_path):
    with pytest.raises(UserError, match="pass --lpips=PATH.npz"):
        lpips.LPIPS(str(tmp_path / "missing.npz"))
    np.savez(tmp_path / "partial.npz", lin0=np.ones(4, np.float32))
    with pytest.raises(UserError, match="lacks 30 LPIPS-VGG16 arrays, e.g. 'conv1_1/kernel'"):
        lpips.LPIPS(str(tmp_path / "partial.npz"))


def test_percentile_mean_keeps_the_1st_to_99th_percentile_inclusive():
    values = np.arange(1, 201, dtype=np.float64)  # 1..200: percentiles 1 and 99 (lower / higher) are 2 and 199
    assert ppl.percentile_mean(values) == pytest.approx(np.mean(np.arange(2, 200)))
    values[0], values[-1] = -1e9, 1e9
    assert ppl.percentile_mean(values) == pytest.approx(np.mean(np.arange(2, 200)))


def test_face_crop_takes_rows_3_to_7_and_columns_2_to_6_eighths():
    images = np.arange(16 * 16).reshape(1, 16, 16, 1)
    np.testing.assert_array_equal(ppl.face_crop(images)[0, :, :, 0], images[0, 6:14, 4:12, 0])


@pytest.fixture(scope="module")
def generator():
    keras.utils.set_random_seed(0)  # the same weights every run; conftest clears the global seed afterwards
    return with_noise(Generator(ArchitectureConfig(resolution=16, latent_size=16, dlatent_size=16, mapping_layers=2,
                                                   mapping_fmaps=16, fmap_base=64, fmap_max=16)))


def squared_pixels(a, b):
    return np.sum((np.asarray(a) - np.asarray(b)) ** 2, axis=(1, 2, 3))


def test_path_lengths_are_distances_over_epsilon_squared(generator, space="w"):
    # A squared distance grows as epsilon^2 for small epsilon: d / epsilon^2 hardly depends on it. A pair whose
    # step crosses a leaky ReLU's kink moves a few per cent (6% was seen), so the typical ratio is held tight and
    # each one loosely; a division by epsilon instead of epsilon^2 would make every ratio 0.5.
    small = ppl.path_lengths(generator, squared_pixels, 8, 8, space, "full", epsilon=1e-3)
    smaller = ppl.path_lengths(generator, squared_pixels, 8, 8, space, "full", epsilon=5e-4)
    assert np.all(small > 0)
    assert np.median(smaller / small) == pytest.approx(1, abs=0.02)
    np.testing.assert_allclose(smaller, small, rtol=0.15)
    zero = ppl.path_lengths(generator, lambda a, b: np.zeros(len(a)), 4, 4, space, "end")
    assert np.all(zero == 0)


def test_ppl_runs_through_the_registry_with_lpips_weights(generator, tmp_path):
    write_weights(tmp_path / "lpips.npz")
    inputs = MetricInputs(fakes=None, reals=None, resolution=16, channels=3, generator=generator)
    options = MetricOptions(lpips=str(tmp_path / "lpips.npz"), batch_size=8)
    records = list(evaluate(["ppl_wend", "ppl_zfull"], inputs, options, num_images=16))
    assert [list(r["results"]) for r in records] == [["ppl_wend"], ["ppl_zfull"]]
    assert all(np.isfinite(r["results"][k]) and r["results"][k] > 0 for r in records for k in r["results"])
