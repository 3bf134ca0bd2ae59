"""One loader for every tool: ``load_generator(SRC)`` turns what a user has into a Generator.

SRC may be a run directory (its newest ``network-snapshot-*.keras``, or, for a run that has none, Gs of its
newest training checkpoint), a snapshot or any ``.keras`` file holding a Generator, a training
checkpoint (``<run>/checkpoints/ckpt-N``, one of its files, or the checkpoints directory), a SavedModel
written by ``export.py`` (a version directory, or the base directory for its highest version: the
network kept in its ``assets.extra``), or one of NVIDIA's official StyleGAN v1 pickles
(``karras2019stylegan-*.pkl``: its Gs, read without running its code). Generation,
figures, export, metrics and the notebooks all go through here (DESIGN: tools other than the trainer never
read training checkpoints themselves).

A file that does not read (cut short, emptied, bytes changed) is a UserError naming the file and what is
wrong with it. In a run directory (or its checkpoints directory) a damaged newest file is passed over for the
newest one that reads, with a warning on stderr that names both (keras_stylegan.errors.warn).
"""

import os
import zipfile

import keras

from keras_stylegan.errors import DamagedFileError, UserError, warn
from keras_stylegan.export.saved_model import NETWORK_FILE, saved_model_dir
from keras_stylegan.networks import Generator
from keras_stylegan.training import snapshot
from keras_stylegan.training.checkpoint import checkpoints_on_disk
from keras_stylegan.training.rundir import OPTIONS_FILE

SOURCES = ("a run directory, a .keras network file, a training checkpoint, an export.py SavedModel or an "
           "official StyleGAN .pkl")


def load_generator(source):
    """The Generator (Gs, the averaged generator, for a run) that ``source`` names; see the module docstring.

    Raises UserError naming ``source`` and what it may be when it is none of them, or naming the file and the
    damage when it does not read.
    """
    source = os.fspath(source)
    if not os.path.exists(source) and not snapshot.is_checkpoint(source):
        raise UserError(f"network {source!r} does not exist (give {SOURCES}).")
    if os.path.isdir(source) and os.path.isfile(os.path.join(source, OPTIONS_FILE)):
        checkpoints = checkpoints_on_disk(os.path.join(source, "checkpoints"))
        candidates = [(path, _load_keras) for path in reversed(snapshot.list_snapshots(source))]
        candidates += [(prefix, snapshot.generator_from_checkpoint) for prefix in checkpoints]
        if not candidates:
            raise UserError(f"run directory {source!r} holds no network snapshot and no checkpoint yet "
                            "(train it first, or give a run that has reached its first checkpoint).")
        return _newest_that_reads(candidates, f"run directory {source}")
    if os.path.isdir(source) and checkpoints_on_disk(source):
        candidates = [(prefix, snapshot.generator_from_checkpoint) for prefix in checkpoints_on_disk(source)]
        return _newest_that_reads(candidates, f"checkpoints directory {source}")
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


def _newest_that_reads(candidates, where):
    """The Generator of the first of ``candidates`` (``(path, load)``, newest first) that reads; a warning names
    the newer ones passed over, a UserError says what is there when none reads."""
    failures = []
    for path, load in candidates:
        try:
            generator = load(path)
        except UserError as error:
            failures.append((path, error))
            continue
        if failures:
            passed = ", ".join(os.path.basename(p) for p, _ in failures)
            warn(f"passed over {passed} ({_why(failures[0][1])}); using {os.path.basename(path)}, the newest network "
                 f"of {where} that reads.")
        return generator
    newest, error = failures[0]
    raise UserError(f"none of the {len(candidates)} network file(s) of {where} reads (the newest, "
                    f"{os.path.basename(newest)}: {_why(error)}); restore them from a backup.")


def _why(error):
    """What is wrong with a file that did not load, in a few words."""
    return error.problem if isinstance(error, DamagedFileError) else str(error).rstrip(".")


def _damage(path):
    """What is wrong with a ``.keras`` file that did not load, when the file itself shows it; None otherwise."""
    size = os.path.getsize(path)
    if size == 0:
        return "it is empty (0 bytes)"
    if not zipfile.is_zipfile(path):
        return f"it is not a complete .keras archive ({size:,} bytes; cut short, or not a .keras file)"
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except Exception as error:  # zipfile meets a garbled archive with many exceptions (NotImplementedError too)
        return f"its archive does not read ({type(error).__name__}: {error})"
    return f"its member {bad} fails its CRC check (bytes changed)" if bad else None


def _load_keras(path):
    """A Generator from a ``.keras`` file, or a UserError saying what is wrong with the file or what it holds."""
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:  # a damaged file fails anywhere in Keras' reader (zipfile, h5py, json)
        damage = _damage(path)
        if damage:
            raise DamagedFileError(f"network file {path}", damage, "copy it again, or give another snapshot") from error
        if not isinstance(error, (OSError, ValueError, KeyError, TypeError)):
            raise
        what = " ".join(str(error).split())[:300]
        raise UserError(f"cannot read network file {path} ({type(error).__name__}: {what}); is it a .keras file "
                        "written by this project?") from error
    if not isinstance(model, Generator):
        raise UserError(f"{path!r} holds a {type(model).__name__}, not a keras_stylegan Generator.")
    return model
