"""Runner callbacks on a stand-in model whose train_step counts images and returns scripted losses."""

import glob
import io
import math

import keras
import tensorflow as tf

from keras_stylegan.training.callbacks import NonFiniteLossStop, ProgressBar, StopAtImages, TickStatus
from keras_stylegan.training.schedule import ProgressiveSchedule


class CountingModel(keras.Model):
    """train_step adds the batch to images_seen and logs d_loss = losses[step] (g_loss = 1)."""

    def __init__(self, losses):
        super().__init__()
        self.images_seen = tf.Variable(0, dtype=tf.int64)
        self.losses_by_step = tf.constant(losses, tf.float32)
        self.step = tf.Variable(0, dtype=tf.int32)

    def train_step(self, data):
        self.images_seen.assign_add(tf.cast(tf.shape(data)[0], tf.int64))
        loss = self.losses_by_step[self.step]
        self.step.assign_add(1)
        return {"d_loss": loss, "g_loss": tf.constant(1.0)}


def _fit(model, steps, callbacks):
    model.compile()
    data = tf.data.Dataset.from_tensors(tf.zeros([4, 1])).repeat()
    model.fit(data, steps_per_epoch=steps, epochs=3, callbacks=callbacks, verbose=0)


def test_stop_at_images_ends_fit_at_the_boundary():
    model = CountingModel([0.0] * 20)
    _fit(model, 5, [StopAtImages(28, images_per_step=4)])
    assert int(model.images_seen.numpy()) == 28


def test_nan_loss_stops_at_that_step_and_reports_it():
    stop = NonFiniteLossStop()
    model = CountingModel([0.5, 0.4, math.nan, 0.3, 0.2, 0.1])
    _fit(model, 2, [stop])
    assert stop.failure[0] == "d_loss" and math.isnan(stop.failure[1]) and stop.failure[2] == 12
    assert int(model.images_seen.numpy()) == 12


def test_inf_loss_is_caught_too():
    stop = NonFiniteLossStop()
    _fit(CountingModel([0.5, math.inf, 0.1, 0.1, 0.1, 0.1]), 2, [stop])
    assert stop.failure[:2] == ("d_loss", math.inf)


def test_tick_status_prints_a_line_per_tick_and_writes_tensorboard_scalars(tmp_path):
    lines = []
    writer = tf.summary.create_file_writer(str(tmp_path))
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=4, lod_training_kimg=0.008,
                                   lod_transition_kimg=0.008, total_kimg=0.04, g_lrate_dict={4: 0.003})
    status = TickStatus(schedule, lines.append, writer)
    status.set_stage(4, 4)
    _fit(CountingModel([0.25] * 20), 1, [status])
    assert len(lines) == 3
    assert lines[0].startswith("tick 1     kimg 0.004     resolution 4    alpha 1.000 minibatch 4")
    assert "d_loss 0.2500" in lines[0] and "img/s" in lines[0] and "maxrss" in lines[0]
    # 8 stable images, then an 8-image fade-in: after 12 images lod = 1 - 4/8, alpha = 0.5
    assert lines[2].startswith("tick 3     kimg 0.012     resolution 4    alpha 0.500")
    tags = set()
    for path in glob.glob(str(tmp_path / "events.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    assert {"loss/d_loss", "loss/g_loss", "progress/alpha", "progress/resolution", "progress/g_lrate",
            "progress/minibatch", "progress/img_per_sec", "progress/sec_per_kimg"} <= tags


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_and_stays_silent_in_files():
    terminal, file = FakeTerminal(), io.StringIO()
    _fit(CountingModel([0.0] * 20), 2, [ProgressBar(40, 4, width=10, stream=terminal),
                                            ProgressBar(40, 4, stream=file)])
    assert "\r[#####     ] 0.0/0.0 kimg  50.0%" in terminal.getvalue()  # 20 of 40 images
    assert "\r[##########] 0.0/0.0 kimg 100.0%" not in terminal.getvalue()  # 24 images is the most seen
    assert file.getvalue() == ""
