"""The StyleGAN paper's figures (Karras et al. 2019), each a uint8 canvas from a Sampler and seeds.

- Fig. 3, style mixing: a column per source B seed (top row), a row per source A seed (left column); each
  cell is A's styles with the layers of one band (coarse 4-8 px, middle 16-32 px, fine 64 px and up)
  copied from B.
- Fig. 4, stochastic variation: one w per row, images under different noise draws, and the per-pixel
  standard deviation over many draws (which parts the noise changes).
- Fig. 5, noise components: noise in all layers, in none, in the fine layers only, in the coarse ones only.
- Fig. 8, truncation: a row per seed, a column per psi (1, 0.7, 0.5, 0, -0.5, -1 in the paper).
- Sec. 4.1, interpolation: video frames along a path through the seeds' latents, in Z or in W.

Canvases are white and gapless like the paper's; every image is at the network's sampling stage, and
latents are NVIDIA's for each seed.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.errors import UserError
from keras_stylegan.inference.grid import tile
from keras_stylegan.inference.latents import latents_for_seeds
from keras_stylegan.inference.paths import w_path, z_path
from keras_stylegan.inference.sampler import IMAGES, W, Sampler
from keras_stylegan.networks.style_mixing import BANDS, layers_of_band, mix_layers

PAPER_PSIS = (1.0, 0.7, 0.5, 0.0, -0.5, -1.0)  # Fig. 8
NOISE_COLUMNS = ("all", "none", "fine", "coarse")  # Fig. 5 (a)-(d)


def _mapped(sampler, seeds, truncation_psi):
    return sampler.mapping(latents_for_seeds(seeds, sampler.generator.config.latent_size),
                           np.float32(truncation_psi))[W]


def _synthesized(sampler, ws):
    return list(sampler.synthesis(ws)[IMAGES].numpy())


def active_bands(generator):
    """Fig. 3's bands that hold style layers at the generator's sampling stage, coarse first."""
    active = generator.config.num_layers_at(generator.stage)
    return [band for band in BANDS if layers_of_band(band, active)]


def paper_row_bands(bands, row_count):
    """A band per row: the rows split 3:2:1 among ``bands`` (coarse, middle, fine), in order, as Fig. 3's
    six rows are (three coarse, two middle, one fine); with fewer bands, in the same proportions."""
    weights = np.cumsum([3, 2, 1][:len(bands)], dtype=np.float64)
    shares = weights / weights[-1]
    return [bands[int(np.searchsorted(shares, (row + 0.5) / row_count))] for row in range(row_count)]


def style_mixing_figure(
    sampler,
    row_seeds,  # source A: the styles every cell of a row starts from
    col_seeds,  # source B: the styles a cell copies
    row_bands=None,  # one band per row ("coarse", "middle", "fine"); None = paper_row_bands of the active bands
    truncation_psi=1.0,
):
    """Fig. 3: (1 + rows) x (1 + columns) images, sources on the top row and the left column."""
    active = sampler.generator.config.num_layers_at(sampler.generator.stage)
    bands = active_bands(sampler.generator)
    if row_bands is None:
        row_bands = paper_row_bands(bands, len(row_seeds))
    if len(row_bands) != len(row_seeds):
        raise UserError(f"give one style band per row ({len(row_seeds)} rows, {len(row_bands)} bands), "
                        "or one band for all rows.")
    for band in row_bands:
        if band not in bands:
            raise UserError(f"style band {band!r} has no layers at the network's {sampler.generator.stage} px "
                            f"(its bands: {', '.join(bands)}).")
    ws_rows, ws_cols = _mapped(sampler, row_seeds, truncation_psi), _mapped(sampler, col_seeds, truncation_psi)
    rows = [[None] + _synthesized(sampler, ws_cols)]
    for ws_row, image, band in zip(tf.unstack(ws_rows), _synthesized(sampler, ws_rows), row_bands):
        base = tf.repeat(ws_row[None], len(col_seeds), axis=0)
        rows.append([image] + _synthesized(sampler, mix_layers(base, ws_cols, layers_of_band(band, active))))
    return tile(rows)


def truncation_figure(sampler, seeds, psis=PAPER_PSIS):
    """Fig. 8: a row per seed, a column per psi (applied to the sampler's truncation cutoff layers)."""
    z = np.repeat(latents_for_seeds(seeds, sampler.generator.config.latent_size), len(psis), axis=0)
    images = sampler.generate(z, np.tile(np.asarray(psis, np.float32), len(seeds)))[IMAGES].numpy()
    return tile([list(images[i:i + len(psis)]) for i in range(0, len(images), len(psis))])


def noise_std_image(images):
    """Per-pixel standard deviation over images [N, H, W, C] of their channel mean, x4 as the paper shows it
    (uint8 [H, W, C], the value in every channel)."""
    std = np.std(np.mean(np.asarray(images, np.float64), axis=3), axis=0) * 4
    gray = np.clip(std + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], images.shape[-1], axis=-1)


def stochastic_variation_figure(sampler, seeds, draws=4, samples=100, truncation_psi=1.0, batch_size=8):
    """Fig. 4: per seed, ``draws`` images of one w under noise drawn from seeds 0, 1, ..., then the per-pixel
    standard deviation of ``samples`` such images (``samples`` >= ``draws``)."""
    if not 1 <= draws <= samples:
        raise UserError(f"need 1 <= draws <= samples, got draws={draws}, samples={samples}.")
    rows = []
    for w in tf.unstack(_mapped(sampler, seeds, truncation_psi)):
        images = np.concatenate([
            sampler.synthesis_random_noise(tf.repeat(w[None], len(noise), axis=0), noise)[IMAGES].numpy()
            for noise in np.array_split(np.arange(samples, dtype=np.int64), -(-samples // batch_size))])
        rows.append(list(images[:draws]) + [noise_std_image(images)])
    return tile(rows)


def noise_layers(generator, column, fine_from):
    """Indices of the styled layers whose noise Fig. 5's ``column`` keeps: all, none, fine (resolution >=
    ``fine_from``) or coarse (below it)."""
    resolutions = [4 << (i // 2) for i in range(generator.num_layers)]
    keep = {"all": lambda r: True, "none": lambda r: False,
            "fine": lambda r: r >= fine_from, "coarse": lambda r: r < fine_from}[column]
    return [i for i, res in enumerate(resolutions) if keep(res)]


def default_fine_from(generator):
    """Where Fig. 5's fine layers start: 64 px as in the paper, or half the stage for smaller networks."""
    return min(64, generator.stage // 2)


def with_noise_only_in(generator, layers):
    """A copy of ``generator`` whose constant noise is zero outside the styled ``layers`` (indices)."""
    copy = generator.copy()
    for index, layer in enumerate(copy.synthesis.styled_layers):
        if index not in layers:
            layer.noise.const_noise.assign(tf.zeros_like(layer.noise.const_noise))
    return copy


def noise_components_figure(sampler, seeds, fine_from=None, truncation_psi=1.0):
    """Fig. 5: a row per seed; columns: constant noise in all layers, in none, in the fine layers only
    (resolution >= ``fine_from``; default :func:`default_fine_from`), in the coarse ones only."""
    generator = sampler.generator
    if not generator.config.use_noise:
        raise UserError("this network has no noise inputs (use_noise=False): it has no noise components to show.")
    fine_from = default_fine_from(generator) if fine_from is None else fine_from
    if not 4 < fine_from <= generator.stage:
        raise UserError(f"the fine layers must start at a resolution in (4, {generator.stage}], got {fine_from}.")
    columns = []
    for column in NOISE_COLUMNS:
        variant = Sampler(with_noise_only_in(generator, noise_layers(generator, column, fine_from)),
                          truncation_cutoff=sampler.truncation_cutoff)
        columns.append(_synthesized(variant, _mapped(variant, seeds, truncation_psi)))
    return tile([list(row) for row in zip(*columns)])


def interpolation_frames(sampler, seeds, space="z", steps=24, loop=True, truncation_psi=1.0, batch_size=8):
    """Frames uint8 [T, R, R, C] through the seeds' latents: ``space="z"`` slerps z (then maps and
    truncates each frame), ``"w"`` lerps the truncated w of the seeds; ``steps`` frames per keyframe."""
    if len(seeds) < 2 or steps < 1 or space not in ("z", "w"):
        raise UserError("an interpolation needs at least 2 seeds, steps >= 1 and the space z or w.")
    zs = latents_for_seeds(seeds, sampler.generator.config.latent_size)
    if space == "z":
        function, path = lambda z: sampler.generate(z, np.float32(truncation_psi)), z_path(zs, steps, loop)
    else:
        function, path = sampler.synthesis, w_path(_mapped(sampler, seeds, truncation_psi).numpy(), steps, loop)
    return np.concatenate([function(path[i:i + batch_size])[IMAGES].numpy() for i in range(0, len(path), batch_size)])
