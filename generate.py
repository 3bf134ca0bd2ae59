"""Generate images by seed: ``python generate.py --network=RUN_DIR --seeds=0-35,85 --outdir=out``, or of
projected latents: ``python generate.py --network=RUN_DIR --latents=projected/ --outdir=out``.

z for seed s is ``np.random.RandomState(s).randn(1, z_dim)``, as in NVIDIA's tools, and each image is
written as ``<outdir>/seed<s>.png`` (``--grid`` adds ``grid.png``). A latent file NAME.npz (project.py's, read by
keras_stylegan.projection.load_latent) is drawn with its own styles and noise images, in float32 as project.py
drew it, as ``<outdir>/NAME.png`` (``NAME-K.png`` for the K-th of a file holding several). The network comes
through keras_stylegan.load_generator: a run directory, a snapshot, a training checkpoint or an export.
Existing images are kept unless --overwrite, and more than --max_files images need that flag raised; both are
checked before the network is loaded.
"""

import collections
import os
import time

from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.inference.editing import render
from keras_stylegan.inference.grid import make_grid
from keras_stylegan.inference.image_io import write_png
from keras_stylegan.inference.latents import class_labels, count_seeds, parse_seeds
from keras_stylegan.output_paths import check_file_count, check_output_dir
from keras_stylegan.projection.latent_file import latent_count, latent_files, load_latent
from pipelines.progress import ProgressBar

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
tool_flags.define_sampling_flags()
tool_flags.define_overwrite_flag()
tool_flags.define_max_files_flag()
flags.DEFINE_string("seeds", None, "Seeds, e.g. 0-35,85 (inclusive ranges and single seeds).")
flags.DEFINE_string("latents", None, "Instead of --seeds: a latent .npz written by project.py (or any .npz whose w "
                    "is [N, num_layers, w_dim]), or a folder of them; each is drawn with its own noise images as "
                    "NAME.png.")
flags.DEFINE_string("outdir", "out", "Directory the images are written to (created if needed).")
flags.DEFINE_bool("grid", False, "Also write grid.png: all images tiled in a near-square grid.")
flags.DEFINE_integer("class", None, "Class of a conditional network (one-hot label); only for conditional networks.")
flags.DEFINE_integer("batch_size", 8, "Images generated per batch.")


def generate():
    if (FLAGS.seeds is None) == (FLAGS.latents is None):
        raise UserError("give --seeds, e.g. --seeds=0-35,85, or --latents=FILE_OR_DIR (project.py's .npz), not both.")
    if FLAGS.batch_size < 1:
        raise UserError(f"--batch_size must be >= 1, got {FLAGS.batch_size}.")
    if FLAGS.latents is not None:
        generate_latents()
        return
    tool_flags.check_sampling_flags()
    check_file_count(count_seeds(FLAGS.seeds) + (1 if FLAGS.grid else 0), FLAGS.max_files, f"--seeds={FLAGS.seeds}")
    seeds = list(dict.fromkeys(parse_seeds(FLAGS.seeds)))
    names = [f"seed{seed:04d}.png" for seed in seeds] + (["grid.png"] if FLAGS.grid else [])
    check_output_dir(FLAGS.outdir, names, "--outdir", FLAGS.overwrite)
    generator = tool_flags.load_network()
    sampler, psi = tool_flags.sampler_and_psi(generator)
    class_index = FLAGS["class"].value
    class_labels(class_index, generator.config.label_size, 1)
    print(f"Generating {len(seeds)} images: {tool_flags.describe(generator, sampler, psi)}, noise {FLAGS.noise_mode}")
    os.makedirs(FLAGS.outdir, exist_ok=True)
    start, done, grid = time.time(), 0, []
    bar = ProgressBar(len(seeds)) if len(seeds) > FLAGS.batch_size else None
    for batch, images in sampler.images_for_seeds(seeds, psi, class_index, random_noise=FLAGS.noise_mode == "random",
                                                  batch_size=FLAGS.batch_size):
        for seed, image in zip(batch, images):
            write_png(os.path.join(FLAGS.outdir, f"seed{seed:04d}.png"), image)
        done += len(batch)
        grid += list(images) if FLAGS.grid else []
        if bar:
            bar.update(done)
    if bar:
        bar.close()
    if FLAGS.grid:
        write_png(os.path.join(FLAGS.outdir, "grid.png"), make_grid(grid, drange=(0, 255)))
    print(f"Wrote {done} images to {FLAGS.outdir}{' and grid.png' if FLAGS.grid else ''} in {time.time() - start:.1f} s.")


def generate_latents():
    """--latents: every latent of the files named, drawn as it is stored (its styles and noise images)."""
    given = [name for name in ("trunc", "trunc_cutoff", "noise_mode", "class") if FLAGS[name].present]
    if given:
        raise UserError(f"--{given[0]} applies to --seeds: a latent is drawn as stored (its styles, already "
                        "truncated or not, and its noise images).")
    names = {}  # latent file -> the PNG of each latent it holds
    for path in latent_files(FLAGS.latents):
        stem, count = os.path.splitext(os.path.basename(path))[0], latent_count(path)
        names[path] = [f"{stem}.png"] if count == 1 else [f"{stem}-{k}.png" for k in range(count)]
    pngs = [name for file_pngs in names.values() for name in file_pngs]
    written = pngs + (["grid.png"] if FLAGS.grid else [])
    clash = next((name for name, count in collections.Counter(written).items() if count > 1), None)
    if clash:
        raise UserError(f"--latents={FLAGS.latents}: two latents would both be written as {clash}; rename a file.")
    check_file_count(len(written), FLAGS.max_files, f"--latents={FLAGS.latents}")
    check_output_dir(FLAGS.outdir, written, "--outdir", FLAGS.overwrite)
    generator = tool_flags.load_network().with_policy("float32")  # as project.py drew the projections
    latents = {path: load_latent(path, generator) for path in names}
    print(f"Drawing {len(pngs)} latent(s) of {len(names)} file(s): {generator.stage}x{generator.stage}, their own "
          "noise images where stored")
    grid = []
    for path, latent in latents.items():
        images = render(generator, latent.ws, latent.noise, FLAGS.batch_size)
        for name, image in zip(names[path], images):
            write_png(os.path.join(FLAGS.outdir, name), image)
        grid += list(images) if FLAGS.grid else []
    if FLAGS.grid:
        write_png(os.path.join(FLAGS.outdir, "grid.png"), make_grid(grid, drange=(0, 255)))
    print(f"Wrote {len(written)} images to {FLAGS.outdir}.")


if __name__ == "__main__":
    tool_flags.run("generate.py", generate)
