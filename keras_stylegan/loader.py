"""One loader for every tool: ``load_generator(SRC)`` turns what a user has into a Generator.

SRC may be a run directory (its newest ``network-snapshot-*.keras``, or, for a run that has none, Gs of its
newest training checkpoint), a snapshot or any ``.keras`` file holding a Generator, a training
checkpoint (``<run>/checkpoints/ckpt-N``, one of its files, or the checkpoints directory), a SavedModel
written by ``export.py`` (a version directory, or the base directory for its highest version: the
network kept in its ``assets.extra``), or one of NVIDIA's official StyleGAN v1 pickles
(``karras2019stylegan-*.pkl``: its Gs, read without running its code). Generation,
figures, export, metrics and the notebooks all go through here (DESIGN: tools other than the trainer never
read training checkpoints themselves).
"""

import os

import keras

from keras_stylegan.errors import UserError
from keras_stylegan.export.saved_model import NETWORK_FILE, saved_model_dir
from keras_stylegan.networks import Generator
from keras_stylegan.training import snapshot
from keras_stylegan.training.rundir import OPTIONS_FILE

SOURCES = ("a run directory, a .keras network file, a training checkpoint, an export.py SavedModel or an "
           "official StyleGAN .pkl")


def load_generator(source):
    """The Generator (Gs, the averaged generator, for a run) that ``source`` names; see the module docstring.

    Raises UserError naming ``source`` and what it may be when it is none of them.
    """
    source = os.fspath(source)
    if not os.path.exists(source) and not snapshot.is_checkpoint(source):
        raise UserError(f"network {source!r} does not exist (give {SOURCES}).")
    if os.path.isdir(source) and os.path.isfile(os.path.join(source, OPTIONS_FILE)):
        snapshots = snapshot.list_snapshots(source)
        if snapshots:
            return _load_keras(snapshots[-1])
        if snapshot.is_checkpoint(os.path.join(source, "checkpoints")):
            return snapshot.generator_from_checkpoint(os.path.join(source, "checkpoints"))
        raise UserError(f"run directory {source!r} holds no network snapshot and no checkpoint yet "
                        "(train it first, or give a run that has reached its first checkpoint).")
    exported = saved_model_dir(source)
    if exported:
        if not os.path.isfile(os.path.join(exported, NETWORK_FILE)):
            raise UserError(f"SavedModel {exported!r} holds no {NETWORK_FILE}: only SavedModels written by "
                            "export.py can be loaded as a network (give the run directory it came from).")
        return _load_keras(os.path.join(exported, NETWORK_FILE))
    if source.endswith(".keras") and os.path.isfile(source):
        return _load_keras(source)
    if source.endswith(".pkl") and os.path.isfile(source):
        from keras_stylegan.legacy import read_official  # only for pickles: the importer is not needed otherwise

        return read_official(source).generator("Gs")
    if snapshot.is_checkpoint(source):
        return snapshot.generator_from_checkpoint(source)
    raise UserError(f"{source!r} is not a network (give {SOURCES}).")


def _load_keras(path):
    """A Generator from a ``.keras`` file, or a UserError saying what the file holds instead."""
    try:
        model = keras.saving.load_model(path, compile=False)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(f"cannot read network file {path!r} ({type(error).__name__}: {error}); "
                        "is it a complete .keras file written by this project?") from None
    if not isinstance(model, Generator):
        raise UserError(f"{path!r} holds a {type(model).__name__}, not a keras_stylegan Generator.")
    return model
