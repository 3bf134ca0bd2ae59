"""Edit latents: find a direction in W, move a projected image (or seeds) along it, mix its styles with seeds.

    python edit.py direction --network=RUN --labels=labels.txt --output=smile.npz     # SEED,LABEL / FILE.npz,LABEL lines
    python edit.py direction --network=COND --classes=0,3 --output=c0-to-c3.npz       # two classes of a conditional network
    python edit.py strip --network=RUN --latent=out/me.npz --direction=smile.npz --strengths=-2,-1,0,1,2
    python edit.py mix --network=RUN --latent=out/me.npz --seeds=1,2,3,4 --styles=coarse,middle

``direction`` fits a linear classifier's unit normal in W to labelled latents (InterFaceGAN), ``strip`` writes a
row of images per latent (or seed) moved along it by each strength (in standard deviations of the labelled
latents along the direction; 0 is the latent itself), ``mix`` the latent with a band of its styles taken from
each seed (Fig. 3 with the latent as source A). A latent is an .npz written by project.py (its noise images
are kept) or any .npz whose ``w`` is [N, num_layers, w_dim].
"""

import os

import numpy as np
from absl import app, flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.inference import directions, editing
from keras_stylegan.inference.figures import active_bands
from keras_stylegan.inference.grid import enlarge
from keras_stylegan.inference.image_io import write_png
from keras_stylegan.inference.latents import class_labels, latents_for_seeds, parse_seeds
from keras_stylegan.inference.sampler import W, Sampler
from keras_stylegan.networks.style_mixing import BANDS
from keras_stylegan.output_paths import check_output_file
from keras_stylegan.projection import load_latent

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
tool_flags.define_overwrite_flag()
flags.DEFINE_string("output", None, "File to write: the direction (.npz) or the picture (.png).")
flags.DEFINE_string("labels", None, "direction: a text file of SEED,LABEL or FILE.npz,LABEL lines (LABEL 0 or 1).")
flags.DEFINE_string("classes", None, "direction: two classes A,B of a conditional network (from A towards B).")
flags.DEFINE_integer("num_samples", 1000, "direction --classes: latents drawn of each class.")
flags.DEFINE_string("latent", None, "strip, mix: an .npz latent (project.py's); a row per latent it holds.")
flags.DEFINE_string("seeds", None, "strip: seeds to edit instead of --latent; mix: the seeds whose styles are taken.")
flags.DEFINE_float("trunc", None, "Truncation psi of seeds' ws (default: the network's own).")
flags.DEFINE_integer("class", None, "Class of seeds' ws for a conditional network.")
flags.DEFINE_string("direction", None, "strip: a direction .npz written by 'edit.py direction'.")
flags.DEFINE_string("strengths", "-3,-2,-1,0,1,2,3", "strip: the edits, in standard deviations of the labelled "
                    "latents along the direction; 0 is the latent unchanged.")
flags.DEFINE_string("layers", "all", f"strip: the style layers moved: all, or a band ({', '.join(BANDS)}).")
flags.DEFINE_string("styles", None, "mix: bands of styles taken from the seeds, a row each (default: every band the "
                    "network has).")
flags.DEFINE_integer("scale", 1, "Enlarge the picture this many times (nearest neighbour).")

COMMANDS = {  # sub-command -> (flags of its own, file type of --output)
    "direction": ({"labels", "classes", "num_samples"}, ".npz"),
    "strip": ({"latent", "seeds", "trunc", "class", "direction", "strengths", "layers", "scale"}, ".png"),
    "mix": ({"latent", "seeds", "trunc", "class", "styles", "scale"}, ".png"),
}
COMMON = {"network", "verbose", "output", "overwrite"}


def _check_flags(command):
    own, suffix = COMMANDS[command]
    allowed = COMMON | own
    stray = sorted(name for name in set().union(*(o for o, _ in COMMANDS.values())) if FLAGS[name].present
                   and name not in allowed)
    if stray:
        raise UserError(f"--{stray[0]} is not an option of '{command}' (its options: "
                        f"{', '.join('--' + name for name in sorted(allowed))}).")
    if not FLAGS.output or not FLAGS.output.lower().endswith(suffix):
        raise UserError(f"give --output=FILE{suffix} (what '{command}' writes).")
    if FLAGS.scale < 1:
        raise UserError(f"--scale must be >= 1, got {FLAGS.scale}.")
    check_output_file(FLAGS.output, "--output", FLAGS.overwrite)


def _seed_ws(generator, seeds, class_index=None, truncation_psi=None):
    """Per-layer ws [S, L, D] of ``seeds`` (truncated by ``truncation_psi``; None: the network's default)."""
    sampler = Sampler(generator)
    psi = generator.truncation_psi if truncation_psi is None else truncation_psi
    labels = class_labels(class_index, generator.config.label_size, len(seeds))
    inputs = [latents_for_seeds(seeds, generator.config.latent_size), np.float32(psi)]
    return sampler.mapping(*inputs, *([] if labels is None else [labels]))[W].numpy()


def _latents(generator):
    """``[(ws [L, D], noise or None)]`` of --latent, or of --seeds for strip."""
    if (FLAGS.latent is None) == (FLAGS.seeds is None):
        raise UserError("give --latent=FILE.npz (a projection) or --seeds=A-B (the network's images), not both.")
    if FLAGS.latent is not None:
        latent = load_latent(FLAGS.latent, generator)
        return [(latent.ws[k], None if latent.noise is None else [n[k:k + 1] for n in latent.noise])
                for k in range(len(latent.ws))]
    ws = _seed_ws(generator, parse_seeds(FLAGS.seeds), FLAGS["class"].value, FLAGS.trunc)
    return [(w, None) for w in ws]


def fit_direction(generator):
    """The direction of --labels or --classes."""
    if (FLAGS.labels is None) == (FLAGS.classes is None):
        raise UserError("give --labels=FILE (SEED,LABEL lines) or --classes=A,B (a conditional network), not both.")
    if FLAGS.classes is not None:
        classes = FLAGS.classes.replace(" ", "").split(",")
        if len(classes) != 2 or not all(c.isdigit() for c in classes) or classes[0] == classes[1]:
            raise UserError(f"--classes={FLAGS.classes!r}: give two different classes A,B, e.g. 0,3.")
        if FLAGS.num_samples < 2:
            raise UserError(f"--num_samples must be >= 2, got {FLAGS.num_samples}.")
        n = FLAGS.num_samples
        ws = np.concatenate([_seed_ws(generator, list(range(k * n, (k + 1) * n)), int(c), 1.0)[:, 0]
                             for k, c in enumerate(classes)])
        labels, source = np.repeat([0, 1], n), f"classes {classes[0]} -> {classes[1]}"
    else:
        entries = directions.read_labels(FLAGS.labels)
        seeds = [key for key, _ in entries if isinstance(key, int)]
        seed_ws = iter(_seed_ws(generator, seeds, truncation_psi=1.0)[:, 0] if seeds else [])
        ws = [next(seed_ws) if isinstance(key, int) else load_latent(key, generator).ws.mean(axis=(0, 1))
              for key, _ in entries]
        labels, source = np.asarray([label for _, label in entries]), f"labels {FLAGS.labels}"
    direction = directions.fit_direction(np.asarray(ws), labels)
    direction.metadata["source"] = source
    return direction


def run(command):
    _check_flags(command)
    if command == "strip" and FLAGS.direction is None:
        raise UserError("give --direction=FILE.npz (made by 'edit.py direction').")
    generator = tool_flags.load_network().with_policy("float32")  # as project.py: a latent's image is the projection's
    if command == "direction":
        direction = fit_direction(generator)
        directions.save_direction(FLAGS.output, direction)
        meta = direction.metadata
        print(f"Direction from {meta['count_0']} latents labelled 0 to {meta['count_1']} labelled 1 ({meta['source']}): "
              f"accuracy {meta['accuracy']:.3f}, {meta['validation_accuracy']:.3f} on a fifth held out of the fit; "
              f"std along it {meta['std_along']:.3g}. Wrote {FLAGS.output}")
        return
    if command == "strip":
        latents = _latents(generator)
        direction = directions.load_direction(FLAGS.direction, generator.config.dlatent_size)
        try:
            strengths = [float(value) for value in FLAGS.strengths.split(",")]
        except ValueError:
            raise UserError(f"--strengths={FLAGS.strengths!r}: give comma-separated numbers, e.g. -2,-1,0,1,2.") from None
        if FLAGS.layers != "all" and FLAGS.layers not in BANDS:
            raise UserError(f"--layers={FLAGS.layers!r}: give all or a band ({', '.join(BANDS)}).")
        layers = directions.edit_layers(FLAGS.layers, generator.config.num_layers_at(generator.stage))
        rows = [editing.edit_strip(generator, ws, direction, strengths, layers, noise) for ws, noise in latents]
        picture = np.concatenate(rows, axis=0)
    else:
        if FLAGS.latent is None or FLAGS.seeds is None:
            raise UserError("give --latent=FILE.npz (the projection) and --seeds=A-B (whose styles it takes).")
        bands = active_bands(generator) if FLAGS.styles is None else FLAGS.styles.replace(" ", "").split(",")
        wrong = [band for band in bands if band not in active_bands(generator)]
        if wrong:
            raise UserError(f"--styles: {wrong[0]!r} is not a band of this {generator.stage} px network (its bands: "
                            f"{', '.join(active_bands(generator))}).")
        latent = load_latent(FLAGS.latent, generator)
        seed_ws = _seed_ws(generator, parse_seeds(FLAGS.seeds), FLAGS["class"].value, FLAGS.trunc)
        canvases = [editing.mixing_figure(generator, latent.ws[k], seed_ws, bands,
                                          None if latent.noise is None else [n[k:k + 1] for n in latent.noise])
                    for k in range(len(latent.ws))]
        picture = np.concatenate(canvases, axis=0)
    os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
    write_png(FLAGS.output, enlarge(picture, FLAGS.scale))
    print(f"Wrote {FLAGS.output}")


if __name__ == "__main__":
    app.run(tool_flags.main_with_subcommand(
        "edit.py", COMMANDS, "python edit.py strip --network=RUN --latent=out/me.npz --direction=smile.npz "
        "--output=strip.png", run))
