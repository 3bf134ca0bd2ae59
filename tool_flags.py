"""What the command-line tools share (train.py, generate.py, figures.py, export.py, pipelines.prepare_dataset):
a quiet TensorFlow startup, --verbose and the one-line error path, and the network and sampling flags.

Command-line only: the library (keras_stylegan/) never imports absl; these flags become its arguments here.
Import this module before anything that imports TensorFlow: the startup must come first.
"""

import os
import sys
import tempfile

VERBOSE_ARGUMENTS = ("--verbose", "--verbose=true", "--verbose=True", "--verbose=1")


def quiet_tensorflow_startup(argv):
    """Keep TensorFlow's startup noise (``cuInit``, ``cudart_stub``, CPU-feature and grappler ``remapper``
    lines) out of the terminal unless ``--verbose`` is among ``argv``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (only fatal C++ messages; unless the environment already sets a level),
    which TensorFlow reads once, and imports TensorFlow with file descriptor 2 sent to a temporary file: the
    lines it prints before its logging is set up ignore that level. What the import printed is shown only if
    the import fails. Python errors are not affected: they reach the user through the one-line error path.
    """
    if any(argument in VERBOSE_ARGUMENTS for argument in argv[1:]) or "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401  (the import whose noise is held back)
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


quiet_tensorflow_startup(sys.argv)

from absl import app, flags, logging  # noqa: E402  (after the startup above, as everything below imports TensorFlow)

from keras_stylegan import load_generator  # noqa: E402
from keras_stylegan.errors import UserError, one_line_errors  # noqa: E402
from keras_stylegan.inference.sampler import Sampler  # noqa: E402
from keras_stylegan.layers.noise import NOISE_MODES  # noqa: E402
from keras_stylegan.networks.truncation import check_truncation_psi  # noqa: E402

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
    flags.DEFINE_bool("overwrite", False, "Replace output files that exist (without it a tool refuses before "
                      "doing any work).")


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


def main_with_subcommand(tool, commands, example, work):
    """absl's main for a tool with one sub-command (a key of ``commands``): ``work(command)`` inside the one-line
    error path; a missing or unknown sub-command is one line naming them and ``example``."""
    def main(argv):
        quiet_info_logs()
        with one_line_errors(tool, FLAGS.verbose):
            if len(argv) != 2 or argv[1] not in commands:
                given = f"'{' '.join(argv[1:])}'" if len(argv) > 1 else "nothing"
                raise UserError(f"give one sub-command ({', '.join(commands)}), got {given}; e.g. {example}.")
            work(argv[1])
    return main


def load_network():
    """The Generator --network names (a UserError when it is missing or not a network)."""
    if FLAGS.network is None:
        raise UserError("give --network=SRC: a run directory, a network-snapshot-*.keras file, a training "
                        "checkpoint, an export.py SavedModel or an official karras2019stylegan-*.pkl.")
    return load_generator(FLAGS.network)


def sampler_and_psi(generator):
    """The Sampler and truncation psi that --trunc, --trunc_cutoff and --noise_mode ask for (const noise
    for --noise_mode=random: its images take the sampler's random-noise functions)."""
    psi = generator.truncation_psi if FLAGS.trunc is None else FLAGS.trunc
    try:
        check_truncation_psi(psi)
    except UserError as error:
        raise UserError(f"--trunc: {error}") from None
    if FLAGS.trunc_cutoff is not None and FLAGS.trunc_cutoff < 0:
        raise UserError(f"--trunc_cutoff must be >= 0 (0 truncates no layer), got {FLAGS.trunc_cutoff}.")
    noise_mode = "const" if FLAGS.noise_mode == "random" else FLAGS.noise_mode
    return Sampler(generator, truncation_cutoff=FLAGS.trunc_cutoff, noise_mode=noise_mode), psi


def describe(generator, sampler, psi):
    """One line saying what will be drawn: resolution, stage and alpha, psi and cutoff."""
    fade = "" if generator.alpha == 1.0 else f" (fading in, alpha {generator.alpha:.3f})"
    return (f"{generator.stage}x{generator.stage}{fade} of a {generator.config.resolution} px network, "
            f"truncation psi {psi:g} on {sampler.truncation_cutoff} layers")
