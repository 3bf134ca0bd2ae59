"""What the command-line tools share (train.py, generate.py, figures.py, export.py, evaluate.py, plot_metrics.py,
project.py, edit.py, blend.py, pipelines.prepare_dataset): a quiet TensorFlow startup, --verbose and the
one-line error path (for flag values too), sub-commands and the flags of each, the network and sampling
flags, and the output flags (--overwrite, --max_files).

A tool ends with ``run(tool, work)`` (or ``run_with_subcommand``). Its outputs follow
keras_stylegan/output_paths.py: it checks every path it will write (check_output_file, check_output_dir,
check_output_tree; check_file_count against --max_files) with FLAGS.overwrite before load_network() or any
other work, and writes through keras_stylegan.inference.image_io (write_png, atomic_output).

Command-line only: the library (keras_stylegan/) never imports absl; these flags become its arguments here.
Import this module before anything that imports TensorFlow: the startup must come first.
"""

import keras_stylegan  # noqa: F401  (first: for a tool it holds TensorFlow's start-up noise back, see startup.py)
from absl import app, flags, logging

from keras_stylegan import load_generator
from keras_stylegan.errors import UserError, one_line_errors
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.layers.noise import NOISE_MODES
from keras_stylegan.networks.truncation import check_truncation_psi
from keras_stylegan.output_paths import MAX_FILES

FLAGS = flags.FLAGS


def define_verbose_flag():
    """--verbose: TensorFlow's startup messages and the traceback of an error (every tool)."""
    flags.DEFINE_bool("verbose", False, "Show TensorFlow's startup messages and the full traceback with an error "
                      "(give it on the command line: it acts before the flags are read).")


def define_network_flags():
    """--network and --verbose: every tool that takes a network."""
    flags.DEFINE_string("network", None, "The network: a run directory (its newest snapshot), a "
                        "network-snapshot-*.keras file, a training checkpoint, a SavedModel written by export.py "
                        "or an official StyleGAN v1 pickle (karras2019stylegan-*.pkl).")
    define_verbose_flag()


def define_overwrite_flag():
    """--overwrite: every tool that writes files (keras_stylegan/output_paths.py: existing outputs are refused
    without it). Defining it twice (e.g. by a tool and by a flag group it uses) defines it once."""
    if "overwrite" in FLAGS:
        return
    flags.DEFINE_bool("overwrite", False, "Replace outputs that exist: files, or a directory this tool wrote "
                      "before, replaced only once the new one is complete (without it a tool refuses before doing any "
                      "work).")


def define_max_files_flag():
    """--max_files: every tool that writes one file per input (output_paths.check_file_count)."""
    flags.DEFINE_integer("max_files", MAX_FILES, "Refuse to write more files than this in one go (a guard against "
                         "a typo such as --seeds=0-9999999); raise it to write more.")


def define_sampling_flags():
    """--trunc, --trunc_cutoff, --noise_mode: how images are drawn from the network."""
    flags.DEFINE_float("trunc", None, "Truncation psi in [-1, 2] (1 = no truncation, 0 = the average w); "
                       "default: the network's own (0.7 for networks trained here).")
    flags.DEFINE_integer("trunc_cutoff", None, "Style layers truncated, from the coarsest (2 per resolution); "
                         "default: the network's own (8).")
    flags.DEFINE_enum("noise_mode", "const", list(NOISE_MODES), "Noise inputs: const (the noise stored in the "
                      "network: reproducible), random (drawn from each image's seed), none.")


def check_no_arguments(argv, expected=0):
    """absl's usage error for positional arguments beyond ``expected``."""
    if len(argv) > 1 + expected:
        raise app.UsageError(f"unexpected arguments {argv[1 + expected:]}; every option is a --flag (see --help).")


def quiet_info_logs():
    """absl's INFO lines (TensorFlow's SavedModel writer logs one per asset written) stay out of the terminal
    unless ``--verbosity`` is given; warnings and errors still show. Call it first in a tool's main."""
    if not FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)


def main_running(tool, work):
    """absl's main for a tool without positional arguments: ``work()`` inside the one-line error path."""
    def main(argv):
        quiet_info_logs()
        check_no_arguments(argv)
        with one_line_errors(tool, FLAGS.verbose):
            work()
    return main


def check_own_flags(what, options, common):
    """A UserError naming the first flag given that belongs to another choice than ``what``: ``options`` maps
    every choice (a sub-command, an export format) to the flags of its own; ``common`` flags belong to all."""
    allowed = common | options[what]
    stray = sorted(name for name in set(common).union(*options.values())
                   if FLAGS[name].present and name not in allowed)
    if stray:
        raise UserError(f"--{stray[0]} is not an option of '{what}' (its options: "
                        f"{', '.join('--' + name for name in sorted(allowed))}).")


def main_with_subcommand(tool, options, common, example, work):
    """absl's main for a tool with one sub-command (a key of ``options``, which maps each to the flags of its
    own; ``common`` flags belong to all): ``work(command)`` inside the one-line error path. A missing or
    unknown sub-command is one line naming them and ``example``; a flag of another sub-command one line naming
    the sub-command's options."""
    def main(argv):
        quiet_info_logs()
        with one_line_errors(tool, FLAGS.verbose):
            if len(argv) != 2 or argv[1] not in options:
                given = f"'{' '.join(argv[1:])}'" if len(argv) > 1 else "nothing"
                raise UserError(f"give one sub-command ({', '.join(options)}), got {given}; e.g. {example}.")
            check_own_flags(argv[1], options, common)
            work(argv[1])
    return main


def flags_parser(tool):
    """absl's flags parser for ``app.run(..., flags_parser=...)``: a flag absl cannot parse (an unknown flag,
    ``--batch_size=x``, a value out of an enum) is one line ``<tool>: error: ...`` and exit status 2, like
    every other mistake, instead of absl's two-line FATAL message."""
    def parse(argv):
        try:
            return FLAGS(argv)
        except flags.Error as error:
            with one_line_errors(tool):
                raise UserError(f"{error} (see --helpfull).") from None
    return parse


def run(tool, work):
    """``app.run`` of a tool without positional arguments: ``work()`` inside the one-line error path, flag
    errors included."""
    app.run(main_running(tool, work), flags_parser=flags_parser(tool))


def run_with_subcommand(tool, options, common, example, work):
    """``app.run`` of a tool with one sub-command (:func:`main_with_subcommand`), flag errors included."""
    app.run(main_with_subcommand(tool, options, common, example, work), flags_parser=flags_parser(tool))


def load_network():
    """The Generator --network names (a UserError when it is missing or not a network)."""
    if FLAGS.network is None:
        raise UserError("give --network=SRC: a run directory, a network-snapshot-*.keras file, a training "
                        "checkpoint, an export.py SavedModel or an official karras2019stylegan-*.pkl.")
    return load_generator(FLAGS.network)


def _check_trunc_cutoff():
    """--trunc_cutoff is >= 0 (before the network is loaded; :func:`trunc_cutoff` checks it against it)."""
    if "trunc_cutoff" in FLAGS and FLAGS.trunc_cutoff is not None and FLAGS.trunc_cutoff < 0:
        raise UserError(f"--trunc_cutoff must be >= 0 (0 truncates no layer), got {FLAGS.trunc_cutoff}.")


def trunc_cutoff(generator):
    """--trunc_cutoff, within the style layers ``generator`` has (None: the network's own)."""
    _check_trunc_cutoff()
    if FLAGS.trunc_cutoff is not None and FLAGS.trunc_cutoff > generator.num_layers:
        raise UserError(f"--trunc_cutoff={FLAGS.trunc_cutoff}, but the network has {generator.num_layers} style "
                        f"layers (2 per resolution, 4 to {generator.config.resolution} px); give 0 to "
                        f"{generator.num_layers}.")
    return FLAGS.trunc_cutoff


def _checked_psi(psi):
    try:
        return check_truncation_psi(psi)
    except UserError as error:
        raise UserError(f"--trunc: {error}") from None


def check_sampling_flags():
    """--trunc and --trunc_cutoff (those the tool defines) as far as they can be checked before the network is
    loaded."""
    if "trunc" in FLAGS and FLAGS.trunc is not None:
        _checked_psi(FLAGS.trunc)
    _check_trunc_cutoff()


def sampler_and_psi(generator):
    """The Sampler and truncation psi that --trunc, --trunc_cutoff and --noise_mode ask for (const noise
    for --noise_mode=random: its images take the sampler's random-noise functions)."""
    psi = _checked_psi(generator.truncation_psi if FLAGS.trunc is None else FLAGS.trunc)
    noise_mode = "const" if FLAGS.noise_mode == "random" else FLAGS.noise_mode
    return Sampler(generator, truncation_cutoff=trunc_cutoff(generator), noise_mode=noise_mode), psi


def describe(generator, sampler, psi):
    """One line saying what will be drawn: resolution, stage and alpha, psi and the layers it applies to."""
    fade = "" if generator.alpha == 1.0 else f" (fading in, alpha {generator.alpha:.3f})"
    layers, cutoff = generator.num_layers, sampler.truncation_cutoff
    applied = (f"all {layers} layers" if cutoff >= layers else "none of the layers" if cutoff == 0
               else f"the first {cutoff} of {layers} layers")
    return (f"{generator.stage}x{generator.stage}{fade} of a {generator.config.resolution} px network, "
            f"truncation psi {psi:g} on {applied}")
