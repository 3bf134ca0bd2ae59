"""``python -m keras_stylegan.legacy --source=OFFICIAL.pkl --output=NAME.keras``: an official StyleGAN v1
pickle as our own Keras 3 files, without running any code from the pickle.

Writes ``NAME.keras`` (Gs, the averaged generator that sampling uses, with the official truncation as its
sampling defaults) and, unless ``--networks=Gs``, ``NAME-G.keras`` (the training generator G) and
``NAME-D.keras`` (the discriminator D) beside it. Each loads with ``keras.saving.load_model`` once
``keras_stylegan`` is imported. Files are written under temporary names and renamed only when all are
complete; existing outputs are kept unless ``--overwrite`` (keras_stylegan/output_paths.py, checked before the
pickle is read). Errors are one line, exit status 2; TensorFlow's start-up lines are held back as in the other
tools (keras_stylegan/startup.py) unless ``--verbose``.
"""

import argparse
import math
import os
import sys

from keras_stylegan.errors import UserError, one_line_errors
from keras_stylegan.output_paths import check_output_file

TOOL = "keras_stylegan.legacy"


def output_paths(output, networks):
    """``{role: path}`` of the files written for ``--output`` (Gs at ``output``, G and D beside it)."""
    if not output.endswith(".keras"):
        raise UserError(f"--output={output} must end with .keras (e.g. --output=ffhq.keras).")
    stem = output[: -len(".keras")]
    paths = {"Gs": output}
    if networks == "all":
        paths.update(G=f"{stem}-G.keras", D=f"{stem}-D.keras")
    return paths


def _count(network):
    """Trainable parameters of a network."""
    return sum(math.prod(v.shape) for v in network.trainable_weights)


def convert(source, output, networks="all", overwrite=False):
    """Read ``source`` and write our files; returns ``{role: path}`` written."""
    from keras_stylegan.legacy.official_model import read_official

    paths = output_paths(output, networks)
    for path in paths.values():
        check_output_file(path, "--output", overwrite)
    model = read_official(source)
    missing = [role for role in paths if role not in model.weights]
    if missing:
        raise UserError(f"{source} holds no {missing[0]} network (it holds {', '.join(model.roles)}); "
                        "pass --networks=Gs to write Gs alone.")
    arch = model.architecture
    print(f"{source}: StyleGAN v1, {arch.resolution}x{arch.resolution}, {arch.num_channels} channels, "
          f"label_size {arch.label_size}; Gs samples with "
          + ", ".join(f"{key} {value}" for key, value in model.sampling["Gs"].items()))
    built = {role: model.discriminator() if role == "D" else model.generator(role) for role in paths}
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    partials = {role: os.path.join(directory, f".partial-{os.getpid()}-{os.path.basename(path)}")
                for role, path in paths.items()}
    try:
        for role, network in built.items():
            network.save(partials[role])
        for role, path in paths.items():
            os.replace(partials[role], path)
            print(f"wrote {path} ({role}, {_count(built[role]):,} parameters)")
    finally:
        for partial in partials.values():
            if os.path.exists(partial):
                os.remove(partial)
    return paths


class _ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors (a missing or unknown option) are one line as every other error."""

    def error(self, message):
        with one_line_errors(TOOL):
            raise UserError(f"{message} (see --help).")


def main(argv=None):
    parser = _ArgumentParser(
        prog=f"python -m {TOOL}",
        description="Convert NVIDIA's official StyleGAN v1 pickle (e.g. karras2019stylegan-ffhq-1024x1024.pkl) "
                    "into keras-stylegan .keras files, without running code from the pickle.")
    parser.add_argument("--source", required=True, help="The official .pkl file (G, D, Gs), as NVIDIA published it.")
    parser.add_argument("--output", required=True,
                        help="NAME.keras: Gs is written there, G and D as NAME-G.keras and NAME-D.keras.")
    parser.add_argument("--networks", choices=("all", "Gs"), default="all",
                        help="all: Gs, G and D; Gs: the averaged generator alone (what sampling uses).")
    parser.add_argument("--overwrite", action="store_true", help="Replace existing output files.")
    parser.add_argument("--verbose", action="store_true", help="Print the traceback of an error too.")
    args = parser.parse_args(argv)
    with one_line_errors(TOOL, verbose=args.verbose):
        convert(args.source, args.output, args.networks, args.overwrite)
    return 0


if __name__ == "__main__":
    sys.exit(main())
