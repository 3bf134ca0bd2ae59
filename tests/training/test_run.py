"""run() in process on a one-stage 8 px model and synthetic data: NaN stop and NaN rollback.

Segments (one dataset each) start at 0, 16, 32 and 48 images (a checkpoint every 16, batch 8): the
third training dataset is the one starting at 32 images."""

import os

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.training.config import TrainingConfig
from keras_stylegan.training.run import run
from keras_stylegan.training.schedule import ProgressiveSchedule


def tiny_config(outdir, **options):
    arch = ArchitectureConfig(resolution=8, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                              fmap_base=32, fmap_max=16)
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=8, lod_training_kimg=1.0,
                                   lod_transition_kimg=1.0, total_kimg=0.064, minibatch_base=8)
    return TrainingConfig(architecture=arch, schedule=schedule, outdir=str(outdir), config_name="tiny",
                          mixed_precision="float32", strategy="default", tick_kimg=0.016, snapshot_kimg=0.016,
                          image_snapshot_kimg=0.032, grid_size=4, **options)


class NanFactory:
    """Synthetic reals; from the ``first_poisoned``-th training dataset on, ``times`` datasets hold NaN."""

    def __init__(self, first_poisoned, times):
        self.first_poisoned, self.times, self.training_calls = first_poisoned, times, 0

    def __call__(self, resolution, global_batch, input_context, seed):
        images = np.random.RandomState(seed).uniform(-1, 1, [global_batch, resolution, resolution, 3])
        if input_context is not None:  # a training segment (the checks before training and the reals grid have none)
            if self.training_calls >= self.first_poisoned and self.times > 0:
                self.times -= 1
                images[:] = np.nan
            self.training_calls += 1
        return tf.data.Dataset.from_tensors(images.astype(np.float32)).repeat()


def test_nan_loss_stops_with_a_clear_message_and_no_nan_checkpoint(tmp_path):
    factory = NanFactory(first_poisoned=2, times=100)
    with pytest.raises(FloatingPointError, match=r"NaN/Inf in training: d_loss = nan at 0\.040 kimg"):
        run(tiny_config(tmp_path), factory)
    run_dir = os.path.join(tmp_path, "00000-tiny")
    assert tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints")).endswith("ckpt-32")
    assert "last good checkpoint" in open(os.path.join(run_dir, "log.txt")).read()


def test_nan_rollback_reloads_the_last_checkpoint_and_finishes(tmp_path):
    factory = NanFactory(first_poisoned=2, times=1)
    run_dir = run(tiny_config(tmp_path, nan_policy="rollback"), factory)
    log = open(os.path.join(run_dir, "log.txt")).read()
    assert "rolled back to" in log and "ckpt-32 (0.032 kimg), rollback 1/3" in log
    assert "Done: 0.064 kimg" in log
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints")))
    values = [reader.get_tensor(n) for n in reader.get_variable_to_shape_map()]
    assert all(np.isfinite(v).all() for v in values if isinstance(v, np.ndarray) and v.dtype.kind == "f")


def test_nan_rollback_gives_up_after_max_rollbacks(tmp_path):
    factory = NanFactory(first_poisoned=2, times=100)
    with pytest.raises(FloatingPointError, match="stopped .*gave up after 2 rollbacks in a row"):
        run(tiny_config(tmp_path, nan_policy="rollback", max_rollbacks=2), factory)
    assert open(os.path.join(tmp_path, "00000-tiny", "log.txt")).read().count("rolled back") == 2
