"""The training state in one ``tf.train.Checkpoint``, kept by a ``tf.train.CheckpointManager``.

Checkpoints are numbered by the images seen (``ckpt-<images>``), keep the last few, and are never written
while any floating-point variable holds NaN or Inf. Under MultiWorkerMirroredStrategy every worker must
take part in a save; only the chief writes into the run directory, the others into a temporary directory
that is removed at the end (TensorFlow's multi-worker checkpointing guide).
"""

import shutil
import tempfile

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


class RunCheckpoint:
    """Saves and restores the training state (StyleGAN Sec. 2 training loop's snapshots; ProGAN's resume)."""

    def __init__(
        self,
        directory,  # <run_dir>/checkpoints, read by every worker
        items,  # dict of trackables: model.checkpoint_items() plus the schedule position
        max_to_keep=3,
        is_chief=True,  # non-chief workers write into a temporary directory
    ):
        self.directory = directory
        self.items = dict(items)
        self.checkpoint = tf.train.Checkpoint(**{key: checkpointable(item) for key, item in self.items.items()})
        self._temp_dir = None if is_chief else tempfile.mkdtemp(prefix="keras-stylegan-worker-ckpt-")
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, self._temp_dir or directory, max_to_keep=max_to_keep, checkpoint_name="ckpt"
        )

    @property
    def latest(self):
        """Path prefix of the newest checkpoint in the run directory, or None."""
        return tf.train.latest_checkpoint(self.directory)

    def restore(self, path=None):
        """Restore ``path`` (default: the newest); returns the path restored, or None if there is none."""
        path = path or self.latest
        if path:
            _check_format(path)
            self.checkpoint.restore(path).assert_existing_objects_matched()
        return path

    def save(self, images_seen):
        """Write a checkpoint numbered ``images_seen``; raises NonFiniteStateError rather than save NaN/Inf."""
        bad = non_finite_variables(self.items)
        if bad:
            raise NonFiniteStateError(
                f"not writing a checkpoint: {len(bad)} variable(s) hold NaN/Inf, e.g. {bad[0]}"
            )
        return self.manager.save(checkpoint_number=int(images_seen))

    def close(self):
        """Remove a non-chief worker's temporary directory."""
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
