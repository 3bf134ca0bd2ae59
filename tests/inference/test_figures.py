"""The paper's figures on a tiny network: canvas sizes, and cells recomputed here from G directly."""

import numpy as np
import pytest

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.errors import UserError
from keras_stylegan.inference import figures
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.networks.style_mixing import layers_of_band, mix_layers
from noisy import with_noise
from reference import assert_same_image, uint8_images

R = 16
CONFIG = ArchitectureConfig(resolution=R, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                            fmap_base=64, fmap_max=16)


@pytest.fixture(scope="module")
def G():
    return with_noise(Generator(CONFIG, truncation_cutoff=CONFIG.num_layers))


@pytest.fixture(scope="module")
def sampler(G):
    return Sampler(G)


def z(seeds):
    return np.stack([np.random.RandomState(s).randn(CONFIG.latent_size) for s in seeds]).astype(np.float32)


def cell(canvas, row, col):
    return canvas[row * R:(row + 1) * R, col * R:(col + 1) * R]


def test_style_mixing_cells_are_the_row_styles_with_a_band_copied_from_the_column(G, sampler):
    rows, cols, bands = [10, 11, 12], [20, 21], ["coarse", "middle", "coarse"]
    canvas = figures.style_mixing_figure(sampler, rows, cols, bands, truncation_psi=0.8)
    assert canvas.shape == ((len(rows) + 1) * R, (len(cols) + 1) * R, 3)
    assert (cell(canvas, 0, 0) == 255).all()  # the empty corner is white
    ws_rows, ws_cols = G.map(z(rows), truncation_psi=0.8), G.map(z(cols), truncation_psi=0.8)
    for c in range(len(cols)):
        assert_same_image(cell(canvas, 0, c + 1), uint8_images(G.synthesize(ws_cols[c:c + 1], noise_mode="const"))[0])
    for r, band in enumerate(bands):
        assert_same_image(cell(canvas, r + 1, 0), uint8_images(G.synthesize(ws_rows[r:r + 1], noise_mode="const"))[0])
        for c in range(len(cols)):
            mixed = mix_layers(ws_rows[r:r + 1], ws_cols[c:c + 1], layers_of_band(band, CONFIG.num_layers))
            assert_same_image(cell(canvas, r + 1, c + 1), uint8_images(G.synthesize(mixed, noise_mode="const"))[0])


def test_style_mixing_default_bands_are_the_papers_split_and_absent_bands_are_refused(sampler):
    assert figures.active_bands(sampler.generator) == ["coarse", "middle"]  # a 16 px network has no fine styles
    assert figures.paper_row_bands(["coarse", "middle", "fine"], 6) == ["coarse"] * 3 + ["middle"] * 2 + ["fine"]
    assert figures.style_mixing_figure(sampler, [1, 2], [3]).shape == (3 * R, 2 * R, 3)
    with pytest.raises(UserError, match=r"style band 'fine' has no layers at the network's 16 px"):
        figures.style_mixing_figure(sampler, [1], [2], ["fine"])
    with pytest.raises(UserError, match=r"one style band per row \(2 rows, 1 bands\)"):
        figures.style_mixing_figure(sampler, [1, 2], [3], ["coarse"])


def test_truncation_columns_are_psis_and_psi_zero_is_the_average_image_for_every_seed(G, sampler):
    psis = [1.0, 0.5, 0.0, -1.0]
    canvas = figures.truncation_figure(sampler, [91, 388], psis)
    assert canvas.shape == (2 * R, len(psis) * R, 3)
    for r, seed in enumerate([91, 388]):
        for c, psi in enumerate(psis):
            assert_same_image(cell(canvas, r, c),
                                          uint8_images(G(z([seed]), truncation_psi=psi, noise_mode="const"))[0])
    np.testing.assert_array_equal(cell(canvas, 0, 2), cell(canvas, 1, 2))  # every layer truncated: w = w_avg
    assert not np.array_equal(cell(canvas, 0, 0), cell(canvas, 1, 0))


def test_stochastic_variation_shows_noise_draws_and_their_per_pixel_standard_deviation(sampler):
    canvas = figures.stochastic_variation_figure(sampler, [5, 6], draws=3, samples=3, truncation_psi=1.0)
    assert canvas.shape == (2 * R, 4 * R, 3)
    draws = np.stack([cell(canvas, 0, c) for c in range(3)]).astype(np.float64)
    assert not np.array_equal(draws[0], draws[1])
    std = np.sqrt(np.mean((draws.mean(axis=3) - draws.mean(axis=3).mean(axis=0)) ** 2, axis=0))
    expected = np.clip(std * 4 + 0.5, 0, 255).astype(np.uint8)
    for channel in range(3):
        np.testing.assert_array_equal(cell(canvas, 0, 3)[..., channel], expected)
    with pytest.raises(UserError, match="1 <= draws <= samples"):
        figures.stochastic_variation_figure(sampler, [5], draws=4, samples=3)


def test_noise_components_columns_are_all_none_fine_and_coarse_layers(G, sampler):
    canvas = figures.noise_components_figure(sampler, [1967, 1555], fine_from=16, truncation_psi=1.0)
    assert canvas.shape == (2 * R, 4 * R, 3)
    latents = z([1967, 1555])
    assert_same_image(cell(canvas, 1, 0), uint8_images(G(latents, truncation_psi=1.0, noise_mode="const"))[1])
    assert_same_image(cell(canvas, 1, 1), uint8_images(G(latents, truncation_psi=1.0, noise_mode="none"))[1])
    for column, zeroed in ((2, lambda res: res < 16), (3, lambda res: res >= 16)):
        copy = Generator.from_config(G.get_config())
        copy.set_weights(G.get_weights())
        for name, variable in copy.named_weights().items():
            if name.endswith("const_noise") and zeroed(int(name.split("/")[1][1:])):  # synthesis/b16/...
                variable.assign(np.zeros(variable.shape, np.float32))
        assert_same_image(cell(canvas, 0, column),
                                      uint8_images(copy(latents, truncation_psi=1.0, noise_mode="const"))[0])
    assert len({cell(canvas, 0, c).tobytes() for c in range(4)}) == 4
    with pytest.raises(UserError, match=r"fine layers must start at a resolution in \(4, 16\]"):
        figures.noise_components_figure(sampler, [1], fine_from=32)


def test_interpolation_frames_pass_through_the_keyframes_in_z_and_in_w(G, sampler):
    seeds = [4, 9, 2]
    for space in ("z", "w"):
        frames = figures.interpolation_frames(sampler, seeds, space=space, steps=3, loop=False, truncation_psi=0.7)
        assert frames.shape == (7, R, R, 3)
        for frame, seed in zip(frames[::3], seeds):  # frames 0, 3, 6 are the keyframes
            assert_same_image(frame, uint8_images(G(z([seed]), truncation_psi=0.7, noise_mode="const"))[0])
        assert not np.array_equal(frames[1], frames[0])
    looped = figures.interpolation_frames(sampler, seeds, space="w", steps=3, loop=True)
    assert looped.shape == (9, R, R, 3)
    with pytest.raises(UserError, match="at least 2 seeds"):
        figures.interpolation_frames(sampler, [1], space="z")
