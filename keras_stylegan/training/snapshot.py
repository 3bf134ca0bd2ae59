"""Standalone network snapshots of a run: the EMA generator Gs as ``network-snapshot-<kimg>.keras``.

The official training loop pickles its networks next to each checkpoint (``network-snapshot-<kimg>.pkl``);
here every checkpoint (and the end of a run) also writes Gs as a Keras 3 file, at the stage and fade-in
training had reached, so that generation, export and metrics never need the trainer's checkpoints. For
runs that have no snapshot yet, :func:`generator_from_checkpoint` rebuilds Gs from a training checkpoint:
the one place outside the trainer that reads them.
"""

import os
import re

import tensorflow as tf

from keras_stylegan.errors import DamagedFileError, UserError
from keras_stylegan.inference.image_io import atomic_output
from keras_stylegan.networks import Generator
from keras_stylegan.training.checkpoint import (RESTORE_ERRORS, check_architecture, checkpoint_files,
                                                checkpoints_on_disk, error_text, why_unreadable)
from keras_stylegan.training.config import TrainingConfig
from keras_stylegan.training.rundir import OPTIONS_FILE, read_options

_SNAPSHOT = re.compile(r"^network-snapshot-(\d+\.\d{3})\.keras$")


def snapshot_name(images_seen):
    """``network-snapshot-000060.000.keras`` for 60,000 images (kimg as in the fakes grids)."""
    return f"network-snapshot-{images_seen / 1000:010.3f}.keras"


def write_snapshot(generator, run_dir, images_seen, stage, alpha):
    """Write ``generator`` (Gs) with sampling defaults ``stage`` / ``alpha`` as the snapshot of
    ``images_seen``, through a temporary file and an atomic rename; returns its path."""
    snapshot = generator.copy(name="Gs", stage=int(stage), alpha=float(alpha))
    path = os.path.join(run_dir, snapshot_name(images_seen))
    with atomic_output(path) as partial:
        snapshot.save(partial)
    return path


def list_snapshots(run_dir):
    """Snapshot files of a run directory, oldest first."""
    found = []
    for name in os.listdir(run_dir):
        match = _SNAPSHOT.match(name)
        if match:
            found.append((float(match.group(1)), os.path.join(run_dir, name)))
    return [path for _, path in sorted(found)]


def _checkpoint_prefix(path):
    """The ``.../checkpoints/ckpt-N`` prefix of a checkpoint given as its prefix, one of its files, or
    the checkpoints directory (its newest on disk, whatever the ``checkpoint`` index file says); None when
    ``path`` is none of these."""
    path = os.path.normpath(path)
    if os.path.isdir(path):
        found = checkpoints_on_disk(path)
        return found[0] if found else None
    prefix = re.sub(r"\.(index|data-\d{5}-of-\d{5})$", "", path)
    return prefix if checkpoint_files(prefix) else None


def is_checkpoint(path):
    """True when ``path`` names a training checkpoint (prefix, file, or a checkpoints directory with one)."""
    return _checkpoint_prefix(path) is not None


def generator_from_checkpoint(path):
    """Gs of a training checkpoint (prefix ``<run>/checkpoints/ckpt-N``, one of its files, or the
    checkpoints directory for its newest), at the stage and alpha it had reached. A UserError naming the
    checkpoint when it does not read, or was written with other architecture options than its run's."""
    prefix = _checkpoint_prefix(path)
    if prefix is None:
        raise UserError(f"{path} is not a training checkpoint (give <run>/checkpoints/ckpt-N or a run directory).")
    run_dir = os.path.dirname(os.path.dirname(prefix))
    if not os.path.isfile(os.path.join(run_dir, OPTIONS_FILE)):
        raise UserError(f"checkpoint {prefix} is not inside a run directory (no {run_dir}/{OPTIONS_FILE}): "
                        "its architecture is unknown (keep checkpoints/ inside the run directory).")
    try:
        config = TrainingConfig.from_dict(read_options(run_dir)["config"])
    except UserError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UserError(f"{run_dir}/{OPTIONS_FILE} does not hold a run's options ({type(error).__name__}: "
                        f"{error}), so the architecture of checkpoint {prefix} is unknown; restore the file from a "
                        "backup.") from None
    try:
        check_architecture(prefix, config.architecture.to_dict())
        seen = int(tf.train.load_variable(prefix, "images_seen/.ATTRIBUTES/VARIABLE_VALUE"))
        generator = Generator(config.architecture, truncation_psi=config.truncation_psi,
                              truncation_cutoff=config.truncation_cutoff, stage=config.schedule.resolution(seen),
                              alpha=config.schedule.alpha(seen), name="Gs")
        status = tf.train.Checkpoint(ema_generator=generator.named_weights()).restore(prefix)
        status.expect_partial()
        status.assert_existing_objects_matched()
        return generator
    except UserError:
        raise
    except RESTORE_ERRORS as error:
        reason = why_unreadable(prefix)
        if reason:
            raise DamagedFileError(f"checkpoint {prefix}", f"it does not read ({reason})",
                                   "give an older checkpoint, or the run's network snapshot") from None
        raise UserError(f"checkpoint {prefix} reads, but does not fit the network its run's options.json describes "
                        f"({error_text(error)}); put options.json back as it was, or give the run's "
                        "network snapshot.") from None
