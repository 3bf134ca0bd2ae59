"""Keras callbacks of the progressive training loop: status line per tick, progress bar, stop conditions.

A tick (one ``fit()`` epoch of ``tick_kimg`` thousand images) ends with a status line as in the official
StyleGAN/ProGAN training loop (``tick kimg lod minibatch sec/tick sec/kimg maxGPU``), written to the run log
and as TensorBoard scalars at step = images seen; the augmentation's statistics (r_t, and ADA's p) also go to
the run's metrics.jsonl, one record a tick.
"""

import datetime
import resource
import sys
import time

import keras
import tensorflow as tf

from keras_stylegan.metrics import append_record
from keras_stylegan.training import summaries
from keras_stylegan.training.model import AUGMENT_LOGS, nonfinite_losses


def memory_mb():
    """Peak resident memory of this process and, on a GPU, peak device memory (MB); None where unknown."""
    host = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    device = None
    if tf.config.list_logical_devices("GPU"):
        device = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return host, device


class NonFiniteLossStop(keras.callbacks.Callback):
    """Stops ``fit()`` at the first step whose loss is NaN or Inf and remembers which loss and when
    (steps that a float16 loss scaler skipped are not failures, see ``model.nonfinite_losses``)."""

    def __init__(self):
        super().__init__()
        self.failure = None  # (loss name, value, images seen) of the first non-finite loss

    def on_train_batch_end(self, batch, logs=None):
        bad = nonfinite_losses(logs or {})
        if bad:
            self.failure = (bad[0], float(logs[bad[0]]), int(self.model.images_seen.numpy()))
            self.model.stop_training = True


class _CountsImages(keras.callbacks.Callback):
    """Keeps the model's images seen in Python: read once when ``fit()`` begins, then advanced by
    ``images_per_step`` (the global batch, which every train step adds) after each step, so that no step
    waits to read the variable back from the device."""

    def __init__(self, images_per_step):
        super().__init__()
        self.images_per_step = int(images_per_step)
        self.seen = None

    def on_train_begin(self, logs=None):
        self.seen = int(self.model.images_seen.numpy())

    def on_train_batch_end(self, batch, logs=None):
        self.seen += self.images_per_step


class StopAtImages(_CountsImages):
    """Ends ``fit()`` once the model has seen ``end`` images (a phase, snapshot or total boundary)."""

    def __init__(
        self,
        end,  # images seen at which fit() stops
        images_per_step,  # the global batch
    ):
        super().__init__(images_per_step)
        self.end = end

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.seen >= self.end:
            self.model.stop_training = True


class ProgressBar(_CountsImages):
    """A one-line progress bar on a terminal (nothing when stdout is not a terminal, e.g. in log files)."""

    def __init__(
        self,
        total_images,
        images_per_step,  # the global batch
        width=30,  # characters of the bar
        stream=None,  # defaults to sys.stdout
    ):
        super().__init__(images_per_step)
        self.total = total_images
        self.width = width
        self.stream = stream or sys.stdout

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if not self.stream.isatty():
            return
        done = min(1.0, self.seen / self.total)
        bar = "#" * int(done * self.width)
        self.stream.write(f"\r[{bar:<{self.width}}] {self.seen / 1000:.1f}/{self.total / 1000:.1f} kimg {done:6.1%}")
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        if self.stream.isatty():
            self.stream.write("\r" + " " * (self.width + 40) + "\r")
            self.stream.flush()


class TickStatus(keras.callbacks.Callback):
    """Status line and TensorBoard scalars at the end of each tick (official training loop's report), and the
    augmentation's statistics as a record ``{"metric": "augment", "results": {"r_t", "augment_p"}, "kimg", ...}``
    in metrics.jsonl."""

    def __init__(
        self,
        schedule,  # ProgressiveSchedule: alpha and learning rates from the images seen
        log,  # callable taking one line (RunLog)
        writer=None,  # tf.summary writer; None on non-chief workers
        metrics_path=None,  # the run's metrics.jsonl; None on non-chief workers
    ):
        super().__init__()
        self.schedule = schedule
        self.log = log
        self.writer = writer
        self.metrics_path = metrics_path
        self.tick = 0
        self.resolution = None
        self.global_batch = None

    def set_stage(self, resolution, global_batch):
        """The stage and global minibatch that the following ticks train."""
        self.resolution = resolution
        self.global_batch = global_batch

    def on_epoch_begin(self, epoch, logs=None):
        self._start_time = time.time()
        self._start_images = int(self.model.images_seen.numpy())

    def on_epoch_end(self, epoch, logs=None):
        seen = int(self.model.images_seen.numpy())
        images = seen - self._start_images
        if images <= 0:
            return
        seconds = time.time() - self._start_time
        self.tick += 1
        host_mb, device_mb = memory_mb()
        values = {
            "alpha": self.schedule.alpha(seen),
            "resolution": self.resolution,
            "minibatch": self.global_batch,
            "g_lrate": self.schedule.g_lrate(self.resolution),
            "d_lrate": self.schedule.d_lrate(self.resolution),
            "sec_per_kimg": seconds / (images / 1000.0),
            "img_per_sec": images / seconds,
            "maxrss_mb": host_mb,
        }
        if device_mb is not None:
            values["device_peak_mb"] = device_mb
        losses = {key: float(value) for key, value in (logs or {}).items() if key not in ("alpha", "resolution")}
        line = (
            f"tick {self.tick:<5d} kimg {seen / 1000:<9.3f} resolution {self.resolution:<4d} "
            f"alpha {values['alpha']:<5.3f} minibatch {self.global_batch:<4d} sec/tick {seconds:<7.1f} "
            f"sec/kimg {values['sec_per_kimg']:<7.2f} img/s {values['img_per_sec']:<7.1f} "
            f"maxrss {host_mb:.0f}MB"
        )
        if device_mb is not None:
            line += f" device_peak {device_mb:.0f}MB"
        line += "".join(f" {key} {value:.4f}" for key, value in sorted(losses.items()))
        self.log(line)
        augment = {key: losses.pop(key) for key in AUGMENT_LOGS if key in losses}
        if self.writer is not None:
            with self.writer.as_default():
                for key, value in losses.items():
                    summaries.scalar(f"loss/{key}", value, seen)
                for key, value in values.items():
                    summaries.scalar(f"progress/{key}", value, seen)
                for key, value in augment.items():
                    summaries.scalar(f"augment/{key.removeprefix('augment_')}", value, seen)
            self.writer.flush()
        if self.metrics_path and augment:
            append_record(self.metrics_path, {
                "metric": "augment", "results": augment, "kimg": seen / 1000, "resolution": self.resolution,
                "alpha": values["alpha"],
                "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
