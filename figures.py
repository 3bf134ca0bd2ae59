"""The StyleGAN paper's figures from a trained network, one sub-command each:

    python figures.py style-mixing --network=RUN_DIR            # Fig. 3  -> figure03-style-mixing.png
    python figures.py stochastic-variation --network=RUN_DIR    # Fig. 4  -> figure04-stochastic-variation.png
    python figures.py noise-components --network=RUN_DIR        # Fig. 5  -> figure05-noise-components.png
    python figures.py truncation --network=RUN_DIR              # Fig. 8  -> figure08-truncation.png
    python figures.py interpolation --network=RUN_DIR --space=w # Sec. 4.1 -> interpolation-w.gif (or .mp4)

The default seeds are the ones NVIDIA's generate_figures.py draws the paper's figures with. Only the flags
a sub-command uses may be given to it. An existing output file is kept unless --overwrite; every flag and the
output path are checked before the network is loaded.
"""

import os

from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.inference import figures
from keras_stylegan.inference.grid import enlarge
from keras_stylegan.inference.image_io import write_png
from keras_stylegan.inference.latents import parse_seeds
from keras_stylegan.inference.video import check_video_path, write_video
from keras_stylegan.networks.style_mixing import BANDS
from keras_stylegan.output_paths import check_output_file
from keras_stylegan.networks.truncation import check_truncation_psi

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
tool_flags.define_sampling_flags()
tool_flags.define_overwrite_flag()
flags.DEFINE_string("output", None, "File to write; default: the sub-command's figure name in the current directory.")
flags.DEFINE_integer("scale", 1, "Enlarge the picture this many times (nearest neighbour) for small networks.")
flags.DEFINE_integer("batch_size", 8, "Images generated per batch.")
flags.DEFINE_string("seeds", None, "Seeds of the rows (truncation, stochastic-variation, noise-components) or the "
                    "keyframes (interpolation), e.g. 91,388 or 0-4; default: the paper's.")
flags.DEFINE_string("rows", None, "style-mixing: seeds of the rows (source A); default: the paper's 888,829,1898,1733,1614,845.")
flags.DEFINE_string("cols", None, "style-mixing: seeds of the columns (source B); default: the paper's 639,701,687,615,2268.")
flags.DEFINE_string("styles", None, "style-mixing: the band of styles each row copies from the column source, one for "
                    "all rows or one per row (coarse = 4-8 px, middle = 16-32 px, fine = 64 px and up); default: rows "
                    "split 3:2:1 among the bands the network has, as in the paper.")
flags.DEFINE_string("psis", "1,0.7,0.5,0,-0.5,-1", "truncation: the columns' psi values, each in [-1, 2].")
flags.DEFINE_integer("draws", 4, "stochastic-variation: images shown per row, each with its own noise.")
flags.DEFINE_integer("samples", 100, "stochastic-variation: noise draws the standard deviation is taken over.")
flags.DEFINE_integer("fine_from", None, "noise-components: resolution the fine layers start at; default: 64 "
                     "as in the paper, or half the network's resolution below 128 px.")
flags.DEFINE_enum("space", "z", ["z", "w"], "interpolation: spherical in Z or linear in W (Sec. 4.1).")
flags.DEFINE_integer("steps", 24, "interpolation: frames from one keyframe to the next.")
flags.DEFINE_integer("fps", 24, "interpolation: frames per second.")
flags.DEFINE_bool("loop", True, "interpolation: return to the first keyframe at the end.")

COMMON = {"network", "verbose", "trunc", "trunc_cutoff", "output", "overwrite", "scale", "batch_size"}
COMMANDS = {  # sub-command -> (Fig., default output, flags of its own, default seeds)
    "style-mixing": ("03", "figure03-style-mixing.png", {"rows", "cols", "styles", "noise_mode"}, None),
    "stochastic-variation": ("04", "figure04-stochastic-variation.png", {"seeds", "draws", "samples"}, "1157,1012"),
    "noise-components": ("05", "figure05-noise-components.png", {"seeds", "fine_from"}, "1967,1555"),
    "truncation": ("08", "figure08-truncation.png", {"seeds", "psis", "noise_mode"}, "91,388"),
    "interpolation": (None, "interpolation-{space}.gif", {"seeds", "space", "steps", "fps", "loop", "noise_mode"}, "0-4"),
}


def _check_flags():
    """Psi-free noise modes for the figures; sizes >= 1 (each flag belongs to the sub-command: tool_flags)."""
    if FLAGS.noise_mode == "random":
        raise UserError("the figures use the network's constant noise (or --noise_mode=none); "
                        "stochastic-variation is the figure of random noise.")
    if FLAGS.scale < 1 or FLAGS.batch_size < 1:
        raise UserError("--scale and --batch_size must be >= 1.")


def _seeds(command):
    return parse_seeds(FLAGS.seeds or COMMANDS[command][3])


def _styles(row_count):
    if FLAGS.styles is None:
        return None
    bands = FLAGS.styles.replace(" ", "").split(",")
    unknown = [band for band in bands if band not in BANDS]
    if unknown:
        raise UserError(f"--styles: {unknown[0]!r} is not a band (give {', '.join(BANDS)}).")
    return bands * row_count if len(bands) == 1 else bands


def _psis():
    try:
        psis = [float(value) for value in FLAGS.psis.split(",")]
        check_truncation_psi(psis)
    except ValueError as error:  # a UserError is a ValueError too
        raise UserError(f"--psis={FLAGS.psis!r}: give comma-separated numbers in [-1, 2], e.g. "
                        f"1,0.7,0.5,0,-0.5,-1 ({error}).") from None
    return psis


def _inputs(command):
    """The keyword arguments of ``command``'s figure function that come from the flags (checked here, before
    the network is loaded)."""
    if command == "style-mixing":
        rows = parse_seeds(FLAGS.rows or "888,829,1898,1733,1614,845", "--rows")
        cols = parse_seeds(FLAGS.cols or "639,701,687,615,2268", "--cols")
        return {"rows": rows, "cols": cols, "styles": _styles(len(rows))}
    if command == "truncation":
        return {"seeds": _seeds(command), "psis": _psis()}
    if command == "stochastic-variation":
        return {"seeds": _seeds(command), "draws": FLAGS.draws, "samples": FLAGS.samples}
    if command == "noise-components":
        return {"seeds": _seeds(command), "fine_from": FLAGS.fine_from}
    if FLAGS.fps < 1:
        raise UserError(f"--fps must be >= 1, got {FLAGS.fps}.")
    return {"seeds": _seeds(command), "space": FLAGS.space, "steps": FLAGS.steps, "loop": FLAGS.loop}


def draw(command):
    """Make the picture of ``command`` and write it; returns its path."""
    _check_flags()
    tool_flags.check_sampling_flags()
    figure, default_output, _, _ = COMMANDS[command]
    output = FLAGS.output or default_output.format(space=FLAGS.space)
    if command == "interpolation":
        check_video_path(output)
    elif not output.lower().endswith(".png"):
        raise UserError(f"--output={output!r}: figures are written as PNG (name it e.g. {default_output}).")
    check_output_file(output, "--output", FLAGS.overwrite)
    inputs = _inputs(command)
    generator = tool_flags.load_network()
    sampler, psi = tool_flags.sampler_and_psi(generator)
    if command == "style-mixing":
        picture = figures.style_mixing_figure(sampler, inputs["rows"], inputs["cols"], inputs["styles"], psi)
    elif command == "truncation":
        picture = figures.truncation_figure(sampler, inputs["seeds"], inputs["psis"])
    elif command == "stochastic-variation":
        picture = figures.stochastic_variation_figure(sampler, inputs["seeds"], inputs["draws"], inputs["samples"],
                                                      psi, FLAGS.batch_size)
    elif command == "noise-components":
        picture = figures.noise_components_figure(sampler, inputs["seeds"], inputs["fine_from"], psi)
    else:
        picture = figures.interpolation_frames(sampler, inputs["seeds"], inputs["space"], inputs["steps"],
                                               inputs["loop"], psi, FLAGS.batch_size)
    print(f"{'Fig. ' + figure if figure else command}: {tool_flags.describe(generator, sampler, psi)}")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    if command == "interpolation":
        write_video(output, enlarge(picture, FLAGS.scale), FLAGS.fps)
    else:
        write_png(output, enlarge(picture, FLAGS.scale))
    print(f"Wrote {output}")
    return output


if __name__ == "__main__":
    tool_flags.run_with_subcommand("figures.py", {command: own for command, (_, _, own, _) in COMMANDS.items()},
                                   COMMON, "python figures.py truncation --network=RUN_DIR", draw)
