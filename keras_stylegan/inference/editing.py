"""Pictures of edited latents (a projected image's, or any ws): a strip along a direction in W (InterFaceGAN,
Shen et al. 2020) and style mixing with seeds (StyleGAN Sec. 3.1, Fig. 3), each a uint8 canvas.

A latent keeps its own noise images (a projection's optimised noise, :mod:`keras_stylegan.projection`) in
every picture made from it, so that the edit of strength 0 is the projection itself.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.inference.directions import apply_direction
from keras_stylegan.inference.grid import tile
from keras_stylegan.inference.sampler import to_uint8
from keras_stylegan.networks.style_mixing import layers_of_band, mix_layers


def render(
    generator,
    ws,  # float32 [N, num_layers, w_dim]
    noise=None,  # noise images of the styled layers, each [N or 1, H, W, 1]; None: the network's constant noise
    batch_size=8,
):
    """uint8 images [N, R, R, C] of ``ws`` at the generator's sampling stage."""
    ws = np.asarray(ws, np.float32)
    images = []
    for start in range(0, len(ws), batch_size):
        batch_noise = None
        if noise is not None:
            batch_noise = [n if len(n) == 1 else n[start:start + batch_size] for n in noise]
            batch_noise = [tf.constant(n, tf.float32) for n in batch_noise]
        images.append(to_uint8(generator.synthesize(ws[start:start + batch_size], noise_mode="const",
                                                    noise=batch_noise)).numpy())
    return np.concatenate(images)


def edit_strip(
    generator,
    ws,  # float32 [num_layers, w_dim]: one latent
    direction,  # a keras_stylegan.inference.directions.Direction
    strengths,  # edits in units of the direction's std_along (1 when the file has none); 0 = the latent itself
    layers,  # the style layers moved (keras_stylegan.inference.directions.edit_layers)
    noise=None,  # the latent's noise images, each [1, H, W, 1]; None: the network's constant noise
):
    """One row of images: ``ws`` moved along ``direction`` by each strength."""
    unit = float(direction.metadata.get("std_along", 1.0))
    edited = apply_direction(ws, direction.direction, np.asarray(strengths, np.float64) * unit, layers)
    return tile([list(render(generator, edited, noise))])


def mixing_figure(
    generator,
    ws,  # float32 [num_layers, w_dim]: the latent (source A of every row)
    seed_ws,  # float32 [S, num_layers, w_dim]: the seeds' latents (sources B, the top row)
    bands,  # Fig. 3 bands, one row each: the band of styles each cell copies from its column's seed
    noise=None,  # the latent's noise images, each [1, H, W, 1], kept in every mixed cell
):
    """Fig. 3 with a latent as the row source: the top row holds the seeds' images (their constant noise), the
    left column the latent's; row k, column j is the latent with band k of its styles taken from seed j."""
    rows = [[None] + list(render(generator, seed_ws))]
    latent_image = render(generator, ws[None], noise)[0]
    base = np.repeat(np.asarray(ws, np.float32)[None], len(seed_ws), axis=0)
    for band in bands:
        active = generator.config.num_layers_at(generator.stage)
        mixed = mix_layers(base, np.asarray(seed_ws, np.float32), layers_of_band(band, active))
        rows.append([latent_image] + list(render(generator, mixed.numpy(), noise)))
    return tile(rows)
