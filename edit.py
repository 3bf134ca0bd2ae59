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

import numpy as np
from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.inference import directions, editing
from keras_stylegan.inference.figures import active_bands
from keras_stylegan.inference.grid import enlarge
from keras_stylegan.inference.image_io import write_png
from keras_stylegan.inference.latents import class_labels, count_seeds, latents_for_seeds, parse_seeds
from keras_stylegan.inference.sampler import W, Sampler
from keras_stylegan.networks.style_mixing import BANDS
from keras_stylegan.output_paths import check_output_file
from keras_stylegan.projection import Latent, latent_count, load_latent

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
    """--output and the flags that need no network (each flag belongs to the sub-command: tool_flags)."""
    suffix = COMMANDS[command][1]
    if not FLAGS.output or not FLAGS.output.lower().endswith(suffix):
        raise UserError(f"give --output=FILE{suffix} (what '{command}' writes).")
    if FLAGS.scale < 1:
        raise UserError(f"--scale must be >= 1, got {FLAGS.scale}.")
    check_output_file(FLAGS.output, "--output", FLAGS.overwrite)
    tool_flags.check_sampling_flags()
    if command == "strip" and FLAGS.direction is None:
        raise UserError("give --direction=FILE.npz (made by 'edit.py direction').")
    if command == "strip" and (FLAGS.latent is None) == (FLAGS.seeds is None):
        raise UserError("give --latent=FILE.npz (a projection) or --seeds=A-B (the network's images), not both.")
    if command == "mix" and (FLAGS.latent is None or FLAGS.seeds is None):
        raise UserError("give --latent=FILE.npz (the projection) and --seeds=A-B (whose styles it takes).")
    if command == "direction" and (FLAGS.labels is None) == (FLAGS.classes is None):
        raise UserError("give --labels=FILE (SEED,LABEL lines) or --classes=A,B (a conditional network), not both.")
    if FLAGS.classes is not None:
        _classes()
    if FLAGS.seeds is not None:
        count_seeds(FLAGS.seeds)  # a UserError for seeds that do not parse
    if command == "strip":
        _strengths()
        if FLAGS.layers != "all" and FLAGS.layers not in BANDS:
            raise UserError(f"--layers={FLAGS.layers!r}: give all or a band ({', '.join(BANDS)}).")


def _classes():
    classes = FLAGS.classes.replace(" ", "").split(",")
    if len(classes) != 2 or not all(c.isdigit() for c in classes) or classes[0] == classes[1]:
        raise UserError(f"--classes={FLAGS.classes!r}: give two different classes A,B, e.g. 0,3.")
    if FLAGS.num_samples < 2:
        raise UserError(f"--num_samples must be >= 2, got {FLAGS.num_samples}.")
    return [int(c) for c in classes]


def _strengths():
    try:
        return [float(value) for value in FLAGS.strengths.split(",")]
    except ValueError:
        raise UserError(f"--strengths={FLAGS.strengths!r}: give comma-separated numbers, e.g. -2,-1,0,1,2.") from None


def _check_inputs(command):
    """Read what the files given name before the network is loaded: a missing or unreadable latent, direction
    or labels file is one line without that wait. Returns the direction (strip) or the labels (direction)."""
    if FLAGS.latent is not None:
        latent_count(FLAGS.latent)
    if command == "strip":
        return directions.load_direction(FLAGS.direction)
    if command == "direction" and FLAGS.labels is not None:
        entries = directions.read_labels(FLAGS.labels)
        for key, _ in entries:
            if not isinstance(key, int):
                latent_count(key)
        return entries
    return None


def _seed_ws(generator, seeds, class_index=None, truncation_psi=None):
    """Per-layer ws [S, L, D] of ``seeds`` (truncated by ``truncation_psi``; None: the network's default)."""
    sampler = Sampler(generator)
    psi = generator.truncation_psi if truncation_psi is None else truncation_psi
    labels = class_labels(class_index, generator.config.label_size, len(seeds))
    inputs = [latents_for_seeds(seeds, generator.config.latent_size), np.float32(psi)]
    return sampler.mapping(*inputs, *([] if labels is None else [labels]))[W].numpy()


def _latents(generator):
    """``[Latent]`` of --latent (one per latent it holds), or of --seeds (their constant noise)."""
    if FLAGS.latent is not None:
        latent = load_latent(FLAGS.latent, generator)
        return [latent.one(k) for k in range(len(latent.ws))]
    ws = _seed_ws(generator, parse_seeds(FLAGS.seeds), FLAGS["class"].value, FLAGS.trunc)
    return [Latent(w[None]) for w in ws]


def fit_direction(generator, entries):
    """The direction of --classes, or of --labels (``entries``: the labels file read)."""
    if FLAGS.classes is not None:
        classes, n = _classes(), FLAGS.num_samples
        label_size = generator.config.label_size
        if not label_size:
            raise UserError(f"--classes={FLAGS.classes} needs a conditional network, but this one has no classes "
                            "(label_size 0); label its latents with --labels=FILE instead.")
        if max(classes) >= label_size:
            raise UserError(f"--classes={FLAGS.classes}: the network has {label_size} classes; give two of 0 to "
                            f"{label_size - 1}.")
        ws = np.concatenate([_seed_ws(generator, list(range(k * n, (k + 1) * n)), c, 1.0)[:, 0]
                             for k, c in enumerate(classes)])
        labels, source = np.repeat([0, 1], n), f"classes {classes[0]} -> {classes[1]}"
    else:
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
    read = _check_inputs(command)
    generator = tool_flags.load_network().with_policy("float32")  # as project.py: a latent's image is the projection's
    if command == "direction":
        direction = fit_direction(generator, read)
        directions.save_direction(FLAGS.output, direction)
        meta = direction.metadata
        print(f"Direction from {meta['count_0']} latents labelled 0 to {meta['count_1']} labelled 1 ({meta['source']}): "
              f"accuracy {meta['accuracy']:.3f}, {meta['validation_accuracy']:.3f} on a fifth held out of the fit; "
              f"std along it {meta['std_along']:.3g}. Wrote {FLAGS.output}")
        return
    if command == "strip":
        directions.check_direction(read, generator.config.dlatent_size, FLAGS.direction)
        layers = directions.edit_layers(FLAGS.layers, generator.config.num_layers_at(generator.stage))
        rows = [editing.edit_strip(generator, latent.ws[0], read, _strengths(), layers, latent.noise)
                for latent in _latents(generator)]
        picture = np.concatenate(rows, axis=0)
    else:
        bands = active_bands(generator) if FLAGS.styles is None else FLAGS.styles.replace(" ", "").split(",")
        wrong = [band for band in bands if band not in active_bands(generator)]
        if wrong:
            raise UserError(f"--styles: {wrong[0]!r} is not a band of this {generator.stage} px network (its bands: "
                            f"{', '.join(active_bands(generator))}).")
        seed_ws = _seed_ws(generator, parse_seeds(FLAGS.seeds), FLAGS["class"].value, FLAGS.trunc)
        canvases = [editing.mixing_figure(generator, latent.ws[0], seed_ws, bands, latent.noise)
                    for latent in _latents(generator)]
        picture = np.concatenate(canvases, axis=0)
    write_png(FLAGS.output, enlarge(picture, FLAGS.scale))
    print(f"Wrote {FLAGS.output}")


if __name__ == "__main__":
    tool_flags.run_with_subcommand(
        "edit.py", {command: own for command, (own, _) in COMMANDS.items()}, COMMON,
        "python edit.py strip --network=RUN --latent=out/me.npz --direction=smile.npz --output=strip.png", run)
