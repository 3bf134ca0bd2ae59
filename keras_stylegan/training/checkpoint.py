"""The training state in one ``tf.train.Checkpoint``, kept by a ``tf.train.CheckpointManager``.

Checkpoints are numbered by the images seen (``ckpt-<images>``), keep the last few, and are never written
while any floating-point variable holds NaN or Inf. Under MultiWorkerMirroredStrategy every worker must
take part in a save; only the chief writes into the run directory, the others into a temporary directory
that is removed at the end (TensorFlow's multi-worker checkpointing guide).

Restoring never trusts the ``checkpoint`` index file alone: the ``ckpt-N`` files on disk are tried newest
first, and one that does not read (truncated, zero-length or altered data, a missing or garbled ``.index``)
is moved into ``checkpoints/damaged/`` with a line saying why, never deleted; the next older one is tried.
Leftover ``ckpt-N_temp`` directories of a save that was killed are incomplete by construction and removed.

A checkpoint that reads but does not fit the networks being restored (the run's options.json edited, a
precision whose optimizers hold other variables) is not damaged: it is a :class:`CheckpointMismatchError`
naming what differs, and nothing is moved. Every checkpoint records the architecture options it was written
with (``architecture``, a JSON string), so that a difference is reported by option and both values.
"""

import json
import os
import re
import shutil
import tempfile
import time

import keras
import tensorflow as tf

from keras_stylegan.errors import UserError


def checkpointable(item):
    """What the checkpoint stores for ``item``: a Keras layer/model as the list of its variables (in
    ``.variables`` order), anything else as it is.

    Keras 3 tracks sub-layers kept in Python lists for ``.variables`` but not for ``tf.train.Checkpoint``:
    a checkpoint of the model object itself silently leaves those layers' weights out.
    """
    return list(item.variables) if isinstance(item, keras.layers.Layer) else item


class NonFiniteStateError(FloatingPointError):
    """Raised instead of writing a checkpoint whose variables hold NaN or Inf."""


def _floating_variables(items):
    """Every floating-point variable of the checkpoint items: variables, lists or ``{name: variable}``
    dicts of variables, and Keras models / optimizers through ``.variables``."""
    found = []
    for item in items.values():
        if isinstance(item, tf.Variable):
            variables = [item]
        elif isinstance(item, (list, tuple)):
            variables = list(item)
        elif isinstance(item, dict):
            variables = list(item.values())
        else:
            variables = list(getattr(item, "variables", []))
        found.extend(v for v in variables if tf.as_dtype(v.dtype).is_floating)
    return found


def non_finite_variables(items):
    """Names of the floating-point variables in ``items`` that contain NaN or Inf."""
    return [getattr(v, "path", v.name) for v in _floating_variables(items) if not bool(tf.reduce_all(tf.math.is_finite(tf.convert_to_tensor(v))))]


class CheckpointFormatError(UserError):
    """A checkpoint written by an older keras-stylegan whose layout this version cannot restore."""


def _check_format(path):
    """Refuse checkpoints that hold the networks as variable lists (keras-stylegan before 0.2, whose
    flat per-layer lists became per-resolution blocks): their positions do not map onto today's weights."""
    if any(name.startswith("generator/0/") for name, _ in tf.train.list_variables(path)):
        raise CheckpointFormatError(
            f"{path} was written by keras-stylegan 0.1 (networks saved as variable lists, before the "
            "per-resolution blocks): this version cannot resume it; finish the run with version 0.1 "
            "or start a new run with --resume=none.")


class CheckpointRecoveryError(UserError):
    """A run directory holds checkpoints, but none of them can be read."""


class CheckpointMismatchError(UserError):
    """A checkpoint that reads, but was written for other networks than the ones it is restored into."""


ARCHITECTURE = "architecture"  # checkpoint key of the architecture options it was written with (a JSON string)
_ARCHITECTURE_KEY = f"{ARCHITECTURE}/.ATTRIBUTES/VARIABLE_VALUE"


def written_architecture(prefix):
    """The architecture options (a dict) checkpoint ``prefix`` was written with; None for a checkpoint of a
    version that did not record them. Raises what a damaged index raises (one of RESTORE_ERRORS)."""
    reader = tf.train.load_checkpoint(prefix)
    if not reader.has_tensor(_ARCHITECTURE_KEY):
        return None
    return json.loads(reader.get_tensor(_ARCHITECTURE_KEY).decode("utf-8"))


def architecture_mismatch(prefix, architecture, expected_from="options.json"):
    """``"fmap_max 16 in ckpt-48, 32 in options.json; ..."`` for every architecture option whose value differs
    between checkpoint ``prefix`` and ``architecture`` (a dict, from ``expected_from``); "" when they agree or
    the checkpoint did not record its options."""
    written = written_architecture(prefix)
    if written is None:
        return ""
    name = os.path.basename(prefix)
    return "; ".join(f"{key} {written.get(key)!r} in {name}, {value!r} in {expected_from}"
                     for key, value in sorted(architecture.items()) if written.get(key) != value)


def check_architecture(prefix, architecture):
    """A CheckpointMismatchError naming each option (and both values) where checkpoint ``prefix`` was written
    with other architecture options than ``architecture`` (a dict: the run's options.json)."""
    differences = architecture_mismatch(prefix, architecture)
    if differences:
        raise CheckpointMismatchError(
            f"checkpoint {prefix} was written with other architecture options than the run's options.json "
            f"({differences}); nothing was moved: put options.json back as it was, or start a new run with "
            "--resume=none.")


DAMAGED_DIR = "damaged"  # unreadable checkpoints are moved here, inside the checkpoints directory
_CHECKPOINT_FILE = re.compile(r"^ckpt-(\d+)(\.index|\.data-\d{5}-of-\d{5})$")
_TEMP_SAVE = re.compile(r"^ckpt-\d+_temp$")
# What restoring a checkpoint raises, for damage (OpError, IndexError, OSError) or for a checkpoint that reads
# but does not fit (ValueError, AssertionError; and OpError for a dtype, e.g. the loss-scale step of float16):
# why_unreadable tells them apart.
RESTORE_ERRORS = (tf.errors.OpError, ValueError, AssertionError, IndexError, OSError)


def checkpoints_on_disk(directory):
    """Path prefixes ``<directory>/ckpt-N`` of every checkpoint with a file on disk, newest (highest N) first."""
    if not os.path.isdir(directory):
        return []
    numbers = {int(m.group(1)) for m in map(_CHECKPOINT_FILE.match, os.listdir(directory)) if m}
    return [os.path.join(directory, f"ckpt-{n}") for n in sorted(numbers, reverse=True)]


def checkpoint_files(prefix):
    """The files of one checkpoint: its ``.index`` and ``.data-*`` shards that exist."""
    directory, name = os.path.split(prefix)
    if not os.path.isdir(directory):
        return []
    return [os.path.join(directory, f) for f in sorted(os.listdir(directory))
            if (m := _CHECKPOINT_FILE.match(f)) and f"ckpt-{m.group(1)}" == name]


def error_text(error, limit=300):
    """TensorFlow's message of ``error`` on one line, without its ``{{function_node ...}}`` prefix."""
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", " ".join(str(error).split()))
    return text[:limit] or type(error).__name__


def why_unreadable(prefix):
    """None when every file of checkpoint ``prefix`` reads (its index, and every tensor against its checksum);
    otherwise what is wrong, in a few words. Reads the whole checkpoint: called once a restore has failed, to
    tell damage from a checkpoint that does not fit."""
    if not os.path.isfile(prefix + ".index"):
        return "its .index file is missing"
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except (tf.errors.OpError, IndexError, OSError, ValueError) as error:
        return error_text(error, 200)
    return None


class RunCheckpoint:
    """Saves and restores the training state (StyleGAN Sec. 2 training loop's snapshots; ProGAN's resume)."""

    def __init__(
        self,
        directory,  # <run_dir>/checkpoints, read by every worker
        items,  # dict of trackables: model.checkpoint_items() plus the schedule position
        max_to_keep=3,
        is_chief=True,  # non-chief workers write into a temporary directory; only the chief moves files
        log=print,  # one line per checkpoint set aside or temporary directory removed
        architecture=None,  # the architecture options (a dict) to record in every checkpoint and compare on restore
        optional=(),  # keys of items that checkpoints of earlier versions lack: left as they are when missing
    ):
        self.directory = directory
        self.items = dict(items)
        self.architecture = architecture
        self.optional = tuple(optional)
        self._trackables = {key: checkpointable(item) for key, item in self.items.items()}
        recorded = {} if architecture is None else {
            ARCHITECTURE: tf.Variable(json.dumps(architecture, sort_keys=True), trainable=False)}
        self.checkpoint = tf.train.Checkpoint(**self._trackables, **recorded)
        self.is_chief = is_chief
        self.log = log
        self.max_to_keep = max_to_keep
        self._temp_dir = None if is_chief else tempfile.mkdtemp(prefix="keras-stylegan-worker-ckpt-")
        self._manager = None
        self.latest = None  # path prefix of the checkpoint last restored or saved

    @property
    def manager(self):
        """The ``tf.train.CheckpointManager`` that saves and keeps the last ``max_to_keep``, created once the
        index file describes the checkpoints that read (see :meth:`restore`)."""
        if self._manager is None:
            self._manager = tf.train.CheckpointManager(
                self.checkpoint, self._temp_dir or self.directory, max_to_keep=self.max_to_keep,
                checkpoint_name="ckpt")
        return self._manager

    def restore(self, path=None):
        """Restore ``path``, or by default the newest checkpoint on disk that reads; returns the path restored,
        or None when the directory holds no checkpoint.

        Checkpoints that do not read are set aside in ``damaged/`` (on the chief) and the next older one is
        tried; raises CheckpointRecoveryError when there were checkpoints and none reads,
        CheckpointMismatchError for one that reads but does not fit (nothing is moved), and
        CheckpointFormatError for a checkpoint of an older version.
        """
        if path:
            reason = self._restore(path)
            if reason:
                raise CheckpointRecoveryError(f"checkpoint {path} does not read ({reason}).")
            self.latest = path
            return path
        self._remove_interrupted_saves()
        candidates = checkpoints_on_disk(self.directory)
        for prefix in candidates:
            reason = self._restore(prefix)
            if reason is None:
                self._write_index(prefix)
                self.latest = prefix
                return prefix
            self._set_aside(prefix, reason)
        if candidates:
            where = os.path.join(self.directory, DAMAGED_DIR) if self.is_chief else self.directory
            raise CheckpointRecoveryError(
                f"none of the {len(candidates)} checkpoint(s) in {self.directory} can be read (moved to {where}); "
                "the run is not restarted from 0 over them: restore the run directory from a backup, or start a "
                "new run with --resume=none.")
        return None

    def _restore(self, prefix):
        """Restore one checkpoint (an optional item it does not hold keeps its value): None, or why it does not
        read (damaged). One whose files all read but that does
        not fit (other architecture options, or variables of another precision) is a CheckpointMismatchError,
        naming the options or what TensorFlow found."""
        try:
            _check_format(prefix)
            if self.architecture is not None:
                check_architecture(prefix, self.architecture)
            recorded = self.architecture is None or written_architecture(prefix) is not None
            saved = {name.split("/")[0] for name, _ in tf.train.list_variables(prefix)}
            missing = [key for key in self.optional if key not in saved]
            checkpoint = self.checkpoint if recorded and not missing else tf.train.Checkpoint(
                **{key: item for key, item in self._trackables.items() if key not in missing})
            checkpoint.restore(prefix).assert_existing_objects_matched()
            return None
        except UserError:
            raise
        except RESTORE_ERRORS as error:
            reason = why_unreadable(prefix)
            if reason:
                return reason
            raise CheckpointMismatchError(
                f"checkpoint {prefix} reads, but does not fit the networks and optimizers of the run's options "
                f"({error_text(error)}); nothing was moved: put the run's options.json back as it "
                "was, and give the --mixed_precision the run was trained with, or start a new run with "
                "--resume=none.") from None

    def _remove_interrupted_saves(self):
        """Remove ``ckpt-N_temp`` directories: a save killed before it finished (TensorFlow writes the shards
        there and renames them only once complete), so they never hold a usable checkpoint."""
        if not self.is_chief or not os.path.isdir(self.directory):
            return
        for name in sorted(os.listdir(self.directory)):
            if _TEMP_SAVE.match(name):
                shutil.rmtree(os.path.join(self.directory, name))
                self.log(f"removed {os.path.join(self.directory, name)}: an interrupted checkpoint save")

    def _set_aside(self, prefix, reason):
        """Move the files of an unreadable checkpoint into ``damaged/`` (chief) and say which and why."""
        if not self.is_chief:
            self.log(f"skipped checkpoint {prefix}: it does not read ({reason})")
            return
        damaged = os.path.join(self.directory, DAMAGED_DIR)
        os.makedirs(damaged, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for file in checkpoint_files(prefix):
            target = os.path.join(damaged, os.path.basename(file))
            if os.path.exists(target):
                target = os.path.join(damaged, f"{stamp}-{os.path.basename(file)}")
            os.replace(file, target)
        self.log(f"checkpoint {prefix} does not read ({reason}): moved to {damaged}, trying the previous one")

    def _write_index(self, restored):
        """Rewrite the ``checkpoint`` index file from the checkpoints on disk up to ``restored`` (chief), so
        that it never names a damaged one and the manager keeps deleting the oldest as usual."""
        if not self.is_chief:
            return
        kept = [p for p in reversed(checkpoints_on_disk(self.directory)) if os.path.isfile(p + ".index")]
        times = [os.path.getmtime(p + ".index") for p in kept]
        tf.compat.v1.train.update_checkpoint_state(
            self.directory, os.path.basename(restored), [os.path.basename(p) for p in kept],
            all_model_checkpoint_timestamps=times, last_preserved_timestamp=min(times) - 1.0)

    def save(self, images_seen):
        """Write a checkpoint numbered ``images_seen``; raises NonFiniteStateError rather than save NaN/Inf."""
        bad = non_finite_variables(self.items)
        if bad:
            raise NonFiniteStateError(
                f"not writing a checkpoint: {len(bad)} variable(s) hold NaN/Inf, e.g. {bad[0]}"
            )
        self.latest = self.manager.save(checkpoint_number=int(images_seen))
        return self.latest

    def close(self):
        """Remove a non-chief worker's temporary directory."""
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
