"""Blend two networks of one architecture: ``python blend.py --coarse=A --fine=B --resolution=16 --output=blend.keras``.

The blended generator draws its blocks below ``--resolution`` with network A's weights and the blocks from
``--resolution`` up with network B's ("layer swapping", the toonify trick: pose and shape from one network,
texture and colour from the other); its mapping network comes from ``--mapping`` (A by default). It is saved
as a Keras network snapshot that every tool loads (``--network=blend.keras``); ``--preview`` also writes a
picture: rows A, B and the blend, a column per ``--seeds``.
"""

import numpy as np
from absl import flags

import tool_flags
from keras_stylegan import load_generator
from keras_stylegan.errors import UserError
from keras_stylegan.inference.grid import enlarge, tile
from keras_stylegan.inference.image_io import atomic_output, write_png
from keras_stylegan.inference.latents import parse_seeds
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.networks.blending import blend
from keras_stylegan.output_paths import check_output_file

FLAGS = flags.FLAGS
tool_flags.define_verbose_flag()
tool_flags.define_overwrite_flag()
flags.DEFINE_string("coarse", None, "Network A, whose blocks below --resolution are taken (anything --network takes).")
flags.DEFINE_string("fine", None, "Network B, whose blocks from --resolution up are taken.")
flags.DEFINE_integer("resolution", None, "The first resolution drawn by B's blocks (8 .. the networks' resolution).")
flags.DEFINE_enum("mapping", "coarse", ["coarse", "fine"], "Which network's mapping and w_avg (and truncation "
                  "defaults) the blend takes.")
flags.DEFINE_string("output", None, "The blended network, a .keras file.")
flags.DEFINE_string("preview", None, "Also write a PNG: rows A, B and the blend, a column per --seeds.")
flags.DEFINE_string("seeds", "0-5", "--preview: the seeds of its columns.")
flags.DEFINE_float("trunc", None, "--preview: truncation psi (default: each network's own).")
flags.DEFINE_integer("scale", 1, "--preview: enlarge the picture this many times.")


def run():
    if not FLAGS.coarse or not FLAGS.fine or FLAGS.resolution is None:
        raise UserError("give --coarse=A, --fine=B (two networks of one architecture) and --resolution=R (the first "
                        "resolution drawn by B's blocks).")
    if not FLAGS.output or not FLAGS.output.endswith(".keras"):
        raise UserError("give --output=FILE.keras (the blended network).")
    check_output_file(FLAGS.output, "--output", FLAGS.overwrite)
    seeds = parse_seeds(FLAGS.seeds)
    if FLAGS.preview is not None:
        if not FLAGS.preview.lower().endswith(".png"):
            raise UserError(f"--preview={FLAGS.preview!r}: the preview is written as PNG (name it e.g. blend.png).")
        check_output_file(FLAGS.preview, "--preview", FLAGS.overwrite)
    if FLAGS.scale < 1:
        raise UserError(f"--scale must be >= 1, got {FLAGS.scale}.")
    tool_flags.check_sampling_flags()
    coarse, fine = load_generator(FLAGS.coarse), load_generator(FLAGS.fine)
    blended = blend(coarse, fine, FLAGS.resolution, FLAGS.mapping)
    preview = None if FLAGS.preview is None else _preview((coarse, fine, blended), seeds)
    with atomic_output(FLAGS.output) as partial:
        blended.save(partial)
    print(f"Blocks {_span(4, FLAGS.resolution // 2)} from {FLAGS.coarse}, {_span(FLAGS.resolution, blended.stage)} "
          f"from {FLAGS.fine}, mapping from {FLAGS.coarse if FLAGS.mapping == 'coarse' else FLAGS.fine}. "
          f"Wrote {FLAGS.output}")
    if preview is not None:
        write_png(FLAGS.preview, preview)
        print(f"Wrote {FLAGS.preview} (rows: coarse, fine, blend)")


def _span(low, high):
    return f"{low} px" if low == high else f"{low}-{high} px"


def _preview(networks, seeds):
    """The preview canvas: a row per network, a column per seed. Each network draws at its own stage (a
    mid-training snapshot smaller than the others), enlarged to the largest."""
    rows = []
    for network in networks:
        psi = network.truncation_psi if FLAGS.trunc is None else FLAGS.trunc
        rows.append(np.concatenate([images for _, images in Sampler(network).images_for_seeds(seeds, psi)]))
    size = max(images.shape[1] for images in rows)
    return enlarge(tile([list(enlarge(images, size // images.shape[1])) for images in rows]), FLAGS.scale)


if __name__ == "__main__":
    tool_flags.run("blend.py", run)
