"""``run(config, dataset_factory)``: the progressive training loop around ``StyleGAN.fit``.

The official StyleGAN ``training_loop`` (Karras et al. 2019, Sec. 2; ProGAN, Karras et al. 2018, Sec. 3):
the images seen decide the stage (resolution) and the fade-in alpha; at each new resolution the
per-replica minibatch and learning rate change, and the Adam state is reset at the start and at the end of
every fade-in (official ``reset_opt_for_new_lod``); training runs in ticks
(status lines), image snapshots (fakes grids from fixed z through Gs), checkpoints and, when configured,
quality metrics of Gs (keras_stylegan.metrics) into metrics.jsonl and TensorBoard.

``dataset_factory(resolution, global_batch, input_context, seed)`` returns the ``tf.data.Dataset`` of one
replica: float images in [-1, 1] NHWC at ``resolution`` (with one-hot labels, ``(images, labels)``, for a
conditional network), batches of
``input_context.get_per_replica_batch_size(global_batch)`` (all of ``global_batch`` when the context is
None). The seed makes the data order a function of (run seed, images seen at the segment start), which
is what lets a resumed run follow an uninterrupted one exactly. Before anything is written, the factory is
also called (input context None) for every stage's global batch and for the reals grid, so that data too
small for them is an error that leaves no run directory behind.
"""

import dataclasses
import math
import os
import re

import keras
import numpy as np
import tensorflow as tf

from keras_stylegan import metrics as metrics_lib
from keras_stylegan.inference.grid import save_grid
from keras_stylegan.inference.latents import class_labels
from keras_stylegan.legacy import read_official
from keras_stylegan.metrics.image_sets import dataset_batches, generated_batches
from keras_stylegan import Discriminator, Generator
from keras_stylegan.training import callbacks as run_callbacks
from keras_stylegan.training import summaries
from keras_stylegan.training.checkpoint import (DAMAGED_DIR, RESTORE_ERRORS, CheckpointMismatchError,
                                                NonFiniteStateError, RunCheckpoint, check_architecture,
                                                checkpoints_on_disk)
from keras_stylegan.training.config import ConfigError, TrainingConfig, architecture_differences
from keras_stylegan.training.model import StyleGAN
from keras_stylegan.training.precision import resolve_policy, slow_precision_warning
from keras_stylegan.output_paths import check_creatable_dir
from keras_stylegan.training.rundir import create_run_dir, read_options, resolve_run_dir, write_options
from keras_stylegan.training.runlock import RunLock
from keras_stylegan.training.runlog import RunLog
from keras_stylegan.training.snapshot import list_snapshots, write_snapshot
from keras_stylegan.training.strategy import make_strategy

GRID_CHUNK = 8  # images per generator call when drawing grids
_FAKES = re.compile(r"^fakes-(\d+\.\d{3})(-trunc)?\.png$")  # the fakes grids (_Snapshots.fakes)
METRICS_BATCH = 32  # images per generator call and per reals batch when measuring metrics


def _adam():
    """Adam as in the official configs (beta1 0, beta2 0.99, eps 1e-8); the learning rate is set per stage."""
    return keras.optimizers.Adam(learning_rate=0.001, beta_1=0.0, beta_2=0.99, epsilon=1e-8)


def _crossed(before, after, kimg):
    """Whether a boundary at every ``kimg`` thousand images lies in (before, after]."""
    step = kimg * 1000.0
    return math.floor(after / step) > math.floor(before / step)


def _next_boundary(seen, kimg):
    """The first multiple of ``kimg`` thousand images after ``seen``."""
    step = kimg * 1000.0
    return int(math.floor(seen / step + 1) * step)


def _data_seed(config, seen, rollbacks):
    """Seed of the data order of the segment starting at ``seen`` images (see the module docstring)."""
    return (config.seed * 1_000_003 + seen + 7919 * rollbacks) % (2**31 - 1)


def _check_resume(config, run_dir):
    """A clear error before any training when the architecture differs from the saved run's."""
    try:
        saved = TrainingConfig.from_dict(read_options(run_dir)["config"])
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ConfigError(
            f"cannot resume {run_dir}: its options.json does not hold the options of a run of this version "
            f"({type(error).__name__}: {error}); restore it from a backup, or start a new run with --resume=none."
        ) from None
    differences = architecture_differences(saved.architecture, config.architecture)
    if differences:
        raise ConfigError(
            f"cannot resume {run_dir}: architecture options differ from the saved run "
            f"({'; '.join(differences)}); drop those flags to continue it, or start a new run with --resume=none."
        )


def _check_not_restarting(run_dir):
    """A clear error before anything is written when a run directory to resume holds no checkpoint but holds
    training output (network snapshots, fakes grids past 0 kimg, checkpoints set aside as damaged): training
    is never restarted from 0 over it. A network snapshot cannot take the checkpoint's place: it holds Gs
    alone, not G, D and the optimizer state. A directory whose run was stopped before its first checkpoint
    (options.json, log.txt, the 0 kimg grids) starts again from 0, which loses nothing."""
    checkpoints = os.path.join(run_dir, "checkpoints")
    if checkpoints_on_disk(checkpoints):
        return
    snapshots = list_snapshots(run_dir)
    grids = [name for name in os.listdir(run_dir) if (match := _FAKES.match(name)) and float(match.group(1)) > 0]
    damaged_dir = os.path.join(checkpoints, DAMAGED_DIR)
    damaged = os.listdir(damaged_dir) if os.path.isdir(damaged_dir) else []
    held = []
    if snapshots:
        held.append(f"{len(snapshots)} network snapshot(s), the newest {os.path.basename(snapshots[-1])}")
    if grids:
        held.append(f"{len(grids)} fakes grid(s) past 0 kimg")
    if damaged:
        held.append(f"{len(damaged)} file(s) of damaged checkpoints in checkpoints/{DAMAGED_DIR}/")
    if held:
        raise ConfigError(
            f"cannot resume {run_dir}: it holds training output ({', '.join(held)}) but no checkpoint to continue "
            "from, and a network snapshot holds Gs alone, not the G, D and optimizer state training needs; it is not "
            "restarted from 0 over that output: restore its checkpoints/ from a backup, or start a new run with "
            "--resume=none.")


def _check_checkpoint_options(config, run_dir):
    """Before anything is written: the newest checkpoint whose index reads was written with the architecture
    the run's options give (a CheckpointMismatchError naming the options otherwise; a damaged checkpoint is
    left to the restore, which sets it aside)."""
    for prefix in checkpoints_on_disk(os.path.join(run_dir, "checkpoints")):
        try:
            check_architecture(prefix, config.architecture.to_dict())
        except CheckpointMismatchError:
            raise
        except RESTORE_ERRORS:  # a damaged index: the restore sets the checkpoint aside
            continue
        return


def _official_start(config):
    """The official model (``init_from``) a new run starts from, its architecture checked against the
    run's before anything is written; None when the run starts from random weights."""
    if not config.init_from:
        return None
    official = read_official(config.init_from)
    differences = architecture_differences(official.architecture, config.architecture)
    if differences:
        raise ConfigError(
            f"--init_from={config.init_from}: architecture options differ from the official model's "
            f"({'; '.join(differences)}); drop those flags (the architecture comes from the pickle).")
    return official


def _check_data(config, dataset_factory, replicas):
    """A clear error before anything is written when the data cannot feed every stage's global batch or the
    reals grid: each dataset the run will read is built (not read) once."""
    schedule = config.schedule
    for resolution in schedule.resolutions:
        batch = schedule.minibatch(resolution) * replicas
        try:
            dataset_factory(resolution, batch, None, config.seed)
        except ValueError as error:  # UserErrors of the data pipeline and plain ValueErrors of other factories
            raise ConfigError(f"resolution {resolution}, minibatch {batch} ({replicas} replica(s)): {error}") from None
    try:
        dataset_factory(config.architecture.resolution, config.grid_size, None, config.seed)
    except ValueError as error:
        raise ConfigError(f"--grid_size={config.grid_size}: {error} (or lower --grid_size)") from None


def _open_run_dir(config, run_dir, resuming):
    """Create a new run's directory (after checking --outdir) and lock the run directory."""
    if not resuming:
        check_creatable_dir(config.outdir, "--outdir")
        create_run_dir(run_dir)
    return RunLock(run_dir)


class _Snapshots:
    """Writes reals.png, fakes grids (fixed z through Gs, without and with truncation) and their
    TensorBoard images: the official training loop's ``grid_latents`` snapshots. A conditional network's
    grid has one row per class, each row the same ``grid_size // label_size`` latents (at least one)."""

    def __init__(self, config, run_dir, writer):
        self.config = config
        self.run_dir = run_dir
        self.writer = writer
        arch = config.architecture
        self.cols = max(1, config.grid_size // arch.label_size) if arch.label_size else None
        latents = np.random.RandomState(config.seed).standard_normal(
            [self.cols or config.grid_size, arch.latent_size]).astype(np.float32)
        if arch.label_size:
            self.latents = np.tile(latents, [arch.label_size, 1])
            self.labels = np.concatenate([class_labels(c, arch.label_size, self.cols)
                                          for c in range(arch.label_size)])
        else:
            self.latents, self.labels = latents, None

    def reals(self, dataset_factory, resolution, seen):
        """reals.png: one batch of the training data at the final resolution."""
        batch = next(iter(dataset_factory(resolution, self.config.grid_size, None, self.config.seed)))
        images = batch[0] if isinstance(batch, tuple) else batch
        grid = save_grid(np.asarray(images, np.float32), os.path.join(self.run_dir, "reals.png"))
        self._summary("reals", grid, seen)

    def fakes(self, model, seen):
        """fakes-<kimg>.png (no truncation) and fakes-<kimg>-trunc.png (psi from the architecture)."""
        schedule = self.config.schedule
        resolution, alpha = schedule.resolution(seen), schedule.alpha(seen)
        for suffix, psi in (("", None), ("-trunc", self.config.truncation_psi)):
            images = np.concatenate([
                np.asarray(tf.cast(model.ema_generator(
                    self.latents[i:i + GRID_CHUNK], None if self.labels is None else self.labels[i:i + GRID_CHUNK],
                    stage=resolution, alpha=alpha, truncation_psi=psi,
                    truncation_cutoff=self.config.truncation_cutoff, noise_mode="const",
                ), tf.float32))
                for i in range(0, len(self.latents), GRID_CHUNK)
            ])
            grid = save_grid(images, os.path.join(self.run_dir, f"fakes-{seen / 1000:010.3f}{suffix}.png"),
                             cols=self.cols)
            self._summary("fakes" + suffix.replace("-", "_"), grid, seen)

    def _summary(self, name, grid, seen):
        with self.writer.as_default():
            summaries.image(name, grid, seen)
        self.writer.flush()


class _Metrics:
    """Runs the configured metrics on Gs (at the stage and alpha reached) against the training data, into
    ``metrics.jsonl``, TensorBoard (``metrics/<figure>``) and the log."""

    def __init__(self, config, run_dir, writer, log, dataset_factory, reals_key):
        self.config = config
        self.names = metrics_lib.parse_metrics(config.metrics)
        self.options = dataclasses.replace(config.metric_options, batch_size=METRICS_BATCH)
        self.path = os.path.join(run_dir, metrics_lib.METRICS_FILE)
        self.writer = writer
        self.log = log
        self.dataset_factory = dataset_factory
        self.reals_key = reals_key

    def __call__(self, model, seen):
        schedule, arch = self.config.schedule, self.config.architecture
        stage, alpha = schedule.resolution(seen), schedule.alpha(seen)
        inputs = metrics_lib.MetricInputs(
            fakes=lambda n: generated_batches(model.ema_generator, n, METRICS_BATCH, self.config.seed, stage, alpha),
            reals=lambda n: dataset_batches(
                self.dataset_factory(arch.resolution, METRICS_BATCH, None, self.config.seed)),
            resolution=arch.resolution, channels=arch.num_channels, reals_key=self.reals_key,
            generator=model.ema_generator, stage=stage, alpha=alpha)
        extra = {"kimg": seen / 1000, "resolution": stage, "alpha": alpha}
        for record in metrics_lib.evaluate(self.names, inputs, self.options, self.config.metrics_images, extra):
            metrics_lib.append_record(self.path, record)
            with self.writer.as_default():
                for figure, value in record["results"].items():
                    summaries.scalar(f"metrics/{figure}", value, seen)
            self.writer.flush()
            figures = "  ".join(f"{figure} {value:.4f}" for figure, value in record["results"].items())
            self.log(f"metric {record['metric']} at {seen / 1000:.3f} kimg: {figures}  ({record['seconds']:.1f} s)")


def _save(checkpoint, model, config, run_dir, seen, is_chief):
    """A checkpoint of the training state and, on the chief, the standalone Gs snapshot beside it, at the
    stage and alpha reached; returns the checkpoint path."""
    path = checkpoint.save(seen)
    if is_chief:
        write_snapshot(model.ema_generator, run_dir, seen, config.schedule.resolution(seen), config.schedule.alpha(seen))
    return path


def run(config, dataset_factory, extra_options=None, reals_key=""):
    """Train StyleGAN progressively as configured; returns the run directory.

    ``extra_options`` (e.g. every command-line flag and the dataset manifest hash) is saved in
    options.json next to ``config``; ``reals_key`` names the data for the metrics' caches (train.py: the
    manifest hash; "" = no cache). Raises ConfigError before training when resuming a run with a
    different architecture, FloatingPointError when a loss becomes NaN/Inf (after rollbacks, with
    ``nan_policy="rollback"``). Every check passes before the run directory is created or written, and a
    second training on the same directory is refused (RunLockedError).
    """
    previous_policy = keras.mixed_precision.global_policy()
    try:
        return _train(config, dataset_factory, extra_options or {}, reals_key)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _train(config, dataset_factory, extra_options, reals_key):
    """The body of :func:`run`: every check (strategy, resumed options, official model, precision, data,
    outdir) before the run directory is created or written, then :func:`_train_in` with the directory locked."""
    strategy = make_strategy(config.strategy, config.tpu_address)
    is_chief = strategy.extended.should_checkpoint
    run_dir, resuming = resolve_run_dir(config.outdir, config.config_name, config.resume)
    if resuming:
        _check_resume(config, run_dir)
        _check_not_restarting(run_dir)
        _check_checkpoint_options(config, run_dir)
    official = _official_start(config)
    policy = resolve_policy(config.mixed_precision)
    _check_data(config, dataset_factory, strategy.num_replicas_in_sync)
    lock = _open_run_dir(config, run_dir, resuming) if is_chief else None
    try:
        return _train_in(config, dataset_factory, extra_options, reals_key, strategy, run_dir, official, policy, lock)
    finally:
        if lock:
            lock.release()


def _train_in(config, dataset_factory, extra_options, reals_key, strategy, run_dir, official, policy, lock):
    """Set up model and checkpoint, then train segment by segment, each segment one ``fit()`` up to the next
    phase, fade-in, snapshot or total boundary (``lock``: the run directory's, on the chief; None elsewhere)."""
    schedule, arch = config.schedule, config.architecture
    is_chief = lock is not None
    log = RunLog(os.path.join(run_dir, "log.txt") if is_chief else None)
    if lock and lock.previous:
        log(f"took over the lock of a training that ended without releasing it ({lock.previous})")
    warning = slow_precision_warning(policy)
    if warning:
        log(warning)

    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(config.seed)
    with strategy.scope():
        model = StyleGAN(
            generator=Generator(arch, truncation_psi=config.truncation_psi,
                                truncation_cutoff=config.truncation_cutoff),
            discriminator=Discriminator(arch),
            schedule=schedule,
            loss=config.loss,
            g_smoothing_kimg=config.g_smoothing_kimg,
            seed=config.seed,
            augment=config.augment,
        )
        model.compile(g_optimizer=_adam(), d_optimizer=_adam(), jit_compile=config.jit_compile)
        reset_lod_key = tf.Variable(-1, dtype=tf.int64, trainable=False, name="optimizer_reset_lod_key")
    checkpoint = RunCheckpoint(
        os.path.join(run_dir, "checkpoints"),
        {**model.checkpoint_items(), "optimizer_reset_lod_key": reset_lod_key},
        max_to_keep=config.checkpoints_to_keep,
        is_chief=is_chief,
        log=log,
        architecture=arch.to_dict(),
        optional=("augment",),  # runs of keras-stylegan before augmentation (p stays 0: they had none)
    )
    restored = checkpoint.restore()
    if is_chief:  # only once the checkpoint (if any) has restored: a run that cannot resume keeps its files
        write_options(run_dir, {"config": config.to_dict(), **extra_options})
    writer = tf.summary.create_file_writer(os.path.join(run_dir, "tensorboard")) if is_chief else None
    if official and not restored:
        for role, network in (("G", model.generator), ("D", model.discriminator), ("Gs", model.ema_generator)):
            official.assign(role, network)
    seen = int(model.images_seen.numpy())
    total = schedule.total_images
    replicas = strategy.num_replicas_in_sync
    log(f"{'Resuming' if restored else 'Starting'} run {run_dir}: {seen / 1000:.3f}/{total / 1000:.3f} kimg, "
        f"resolution {schedule.resolution(seen)}, alpha {schedule.alpha(seen):.3f}, policy {policy}, "
        f"{type(strategy).__name__} with {replicas} replica(s)" + (f", from {restored}" if restored else "")
        + (f", G, D and Gs from the official {config.init_from}" if official and not restored else ""))
    snapshots = _Snapshots(config, run_dir, writer) if is_chief else None
    measure = _Metrics(config, run_dir, writer, log, dataset_factory, reals_key) if is_chief and config.metrics else None
    if not restored:
        if is_chief:
            snapshots.reals(dataset_factory, arch.resolution, seen)
            snapshots.fakes(model, seen)
        _save(checkpoint, model, config, run_dir, seen, is_chief)
        if measure:
            measure(model, seen)

    status = run_callbacks.TickStatus(
        schedule, log, writer, os.path.join(run_dir, metrics_lib.METRICS_FILE) if is_chief else None)
    nan_stop = run_callbacks.NonFiniteLossStop()
    rollbacks = rollbacks_in_a_row = 0
    stage = None
    while seen < total:
        resolution = schedule.resolution(seen)
        global_batch = schedule.minibatch(resolution) * replicas
        if stage != (resolution, global_batch):
            model.set_stage(resolution, global_batch)
            status.set_stage(resolution, global_batch)
            stage = (resolution, global_batch)
        lod_key = schedule.lod_key(seen)
        if config.reset_optimizer_for_new_lod and int(reset_lod_key.numpy()) != lod_key:
            model.reset_optimizer_state()
            reset_lod_key.assign(lod_key)
            log(f"lod {schedule.lod(seen):.3f} (resolution {resolution}): optimizer state reset")
        boundaries = [schedule.phase_end(seen), total, _next_boundary(seen, config.snapshot_kimg),
                      _next_boundary(seen, config.image_snapshot_kimg)]
        if config.metrics:
            boundaries.append(_next_boundary(seen, config.metrics_interval_kimg))
        phase_kimg = schedule.lod_training_kimg + schedule.lod_transition_kimg
        if phase_kimg > 0:
            boundaries.append(_next_boundary(seen, phase_kimg))
        end = min(boundaries)
        steps = math.ceil((end - seen) / global_batch)
        tick_steps = max(1, math.ceil(config.tick_kimg * 1000 / global_batch))
        segment_seed = _data_seed(config, seen, rollbacks)
        dataset = strategy.distribute_datasets_from_function(
            lambda context, r=resolution, b=global_batch, s=segment_seed: dataset_factory(r, b, context, s))
        nan_stop.failure = None
        model.fit(
            dataset,
            steps_per_epoch=min(tick_steps, steps),
            epochs=math.ceil(steps / tick_steps) + 1,
            callbacks=[nan_stop, run_callbacks.StopAtImages(end, global_batch),
                       run_callbacks.ProgressBar(total, global_batch), status],
            verbose=0,
            shuffle=False,
        )
        before, seen = seen, int(model.images_seen.numpy())
        failure = None
        if nan_stop.failure:
            name, value, at = nan_stop.failure
            failure = f"{name} = {value} at {at / 1000:.3f} kimg (resolution {resolution}, alpha {schedule.alpha(at):.3f})"
        elif _crossed(before, seen, config.snapshot_kimg) or seen >= total:
            try:
                log(f"checkpoint {_save(checkpoint, model, config, run_dir, seen, is_chief)}")
                rollbacks_in_a_row = 0
            except NonFiniteStateError as error:
                failure = str(error)
        if failure:
            if config.nan_policy != "rollback" or rollbacks_in_a_row >= config.max_rollbacks:
                advice = ("gave up after {0} rollbacks in a row".format(rollbacks_in_a_row)
                          if config.nan_policy == "rollback" else "or try --nan_policy=rollback")
                message = (f"NaN/Inf in training: {failure}; stopped (last good checkpoint: {checkpoint.latest}). "
                           f"Lower the learning rates or use --mixed_precision=float32; {advice}.")
                log(message)
                raise FloatingPointError(message)
            rollbacks += 1
            rollbacks_in_a_row += 1
            path = checkpoint.restore()
            model.rng.skip(rollbacks * 1_000_003)
            stage = None
            seen = int(model.images_seen.numpy())
            log(f"NaN/Inf in training: {failure}; rolled back to {path} ({seen / 1000:.3f} kimg), "
                f"rollback {rollbacks_in_a_row}/{config.max_rollbacks}")
            continue
        if is_chief and (_crossed(before, seen, config.image_snapshot_kimg) or seen >= total):
            snapshots.fakes(model, seen)
        if measure and (_crossed(before, seen, config.metrics_interval_kimg) or seen >= total):
            measure(model, seen)
    fingerprint = sum(np.abs(np.asarray(v.numpy(), np.float64)).sum() for v in model.ema_generator.variables)
    log(f"Done: {seen / 1000:.3f} kimg in {run_dir} (Gs weight fingerprint, sum |w|: {fingerprint:.6f})")
    checkpoint.close()
    log.close()
    return run_dir
