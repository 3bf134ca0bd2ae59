"""The StyleGAN training model: G, D and the EMA generator Gs with a custom ``train_step`` run by
``fit()`` (official StyleGAN ``training/training_loop.py``, Karras et al. 2019; ProGAN's progressive
growing, Karras et al. 2018)."""

import math

import keras
import tensorflow as tf

from keras_stylegan.augment import Augment
from keras_stylegan.interpolation import lerp
from keras_stylegan.networks.fade_in import fade_reals
from keras_stylegan.training import losses
from keras_stylegan.training.losses import LossConfig

LOSS_LOGS = ("d_loss", "g_loss", "real_score", "fake_score")
AUGMENT_LOGS = ("augment_p", "r_t")  # ADA's strength after the step; the tick's mean sign of D on its reals


def ema_beta(global_batch, g_smoothing_kimg):
    """Gs decay per step, 0.5 ** (global_batch / (G_smoothing_kimg * 1000)): the half-life of the
    average is G_smoothing_kimg thousand images whatever the batch (official ``Gs_beta``)."""
    if g_smoothing_kimg <= 0:
        return 0.0
    return 0.5 ** (global_batch / (g_smoothing_kimg * 1000.0))


def nonfinite_losses(logs):
    """Names of the loss logs of a step that are NaN or Inf, for the runner to stop or roll back.

    Under mixed_float16 an overflow is absorbed by the LossScaleOptimizer (step skipped, scale halved)
    and logged as ``d_step_skipped`` / ``g_step_skipped``; those steps are not reported.
    """
    bad = []
    for name in LOSS_LOGS:
        if name in logs and not math.isfinite(float(logs[name])):
            skipped = logs.get("g_step_skipped" if name == "g_loss" else "d_step_skipped", 0.0)
            if not float(skipped):
                bad.append(name)
    return bad


class StyleGAN(keras.Model):
    """G, D and Gs trained by the official StyleGAN loop: per step a D update on reals and fakes,
    then a G update, then Gs = lerp(G, Gs, beta) (Karras et al. 2019, Sec. 4 and official code).

    Construct inside the distribution strategy's scope. ``set_stage(resolution, global_batch)``
    before each ``fit()`` of a stage; alpha comes from ``images_seen`` in-graph, so it is exact under
    distribution and across resume. ``fit`` takes batches of reals in [-1, 1] NHWC at the stage
    resolution, ``(reals, labels)`` for conditional networks (one-hot ``[batch, label_size]``), or dicts
    ``{"images", "labels", "latents_d", "latents_g"}`` that fix the latents (for tests and reproducible
    experiments).

    Conditional training (``label_size > 0``, the official StyleGAN conditional networks): G's mapping
    concatenates a label embedding to z and D's output is projected onto the label. The fakes of both
    steps take the labels of the batch's reals, as the official D loss does for its fakes; the official G
    loss draws its own (``training_set.get_random_labels_tf``), from the same label distribution.

    Augmentation (``augment``, an AugmentConfig: DiffAugment or ADA) applies to every image D sees, reals and
    fakes of the D step and fakes of the G step, and R1 is taken through it (keras_stylegan.augment). Every step
    feeds D's outputs on the reals to ADA's controller; the logs hold ``r_t``, the mean of sign(D(real)) since
    the tick began (``reset_metrics`` at each ``fit()`` epoch), and with ADA ``augment_p``.
    """

    def __init__(
        self,
        generator,
        discriminator,
        schedule,  # ProgressiveSchedule: alpha and learning rates per resolution
        loss=None,  # LossConfig; None = logistic + R1 (gamma 10)
        g_smoothing_kimg=10.0,  # half-life of Gs in thousands of images
        seed=0,  # seeds the training RNG (latents, noise, style mixing, WGAN interpolation, augmentation)
        augment=None,  # AugmentConfig of the images D sees; None = no augmentation
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.schedule = schedule
        self.loss_config = LossConfig() if loss is None else loss
        self.g_smoothing_kimg = float(g_smoothing_kimg)
        self.ema_generator = type(generator).from_config(
            {**generator.get_config(), "name": f"{generator.name}_ema"})
        self.ema_generator.set_weights(generator.get_weights())
        self.images_seen = tf.Variable(
            0, dtype=tf.int64, trainable=False, name="images_seen",
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self.steps = tf.Variable(
            0, dtype=tf.int64, trainable=False, name="steps",
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self.rng = tf.random.Generator.from_seed(seed)
        self.augment = Augment(augment)
        self.r_t_tracker = keras.metrics.Mean(name="r_t")
        self.g_optimizer = None
        self.d_optimizer = None
        self.stage = None
        self.global_batch = None
        self.built = True

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        """Attach G's and D's optimizers (official: Adam(lr, beta_1=0, beta_2=0.99, epsilon=1e-8)).

        Under a mixed_float16 policy each is wrapped in ``keras.optimizers.LossScaleOptimizer``
        (dynamic loss scaling). Both are built here over every stage's variables, so later stages
        and distribution strategies find their slots.
        """
        super().compile(optimizer=None, **kwargs)
        if self.generator.dtype_policy.compute_dtype == "float16":
            g_optimizer = _with_loss_scaling(g_optimizer, "g")
            d_optimizer = _with_loss_scaling(d_optimizer, "d")
        with self.distribute_strategy.scope():
            g_optimizer.build(self.generator.trainable_variables)
            d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    @property
    def loss_scaling(self):
        """True when the optimizers scale losses (mixed_float16)."""
        return isinstance(self.d_optimizer, keras.optimizers.LossScaleOptimizer)

    def set_stage(self, resolution, global_batch):
        """Train the next ``fit()`` at ``resolution`` with ``global_batch`` images per step (all
        replicas together); sets the schedule's learning rates and, when either changed, forces a
        retrace (the stage is fixed at trace time)."""
        self.generator.config.check_stage(resolution)
        if self.g_optimizer is None:
            raise ValueError("call compile(g_optimizer=..., d_optimizer=...) before set_stage().")
        replicas = self.distribute_strategy.num_replicas_in_sync
        if global_batch < 1 or global_batch % replicas:
            raise ValueError(
                f"global_batch={global_batch} must be a positive multiple of the {replicas} replicas.")
        if (self.stage, self.global_batch) != (resolution, global_batch):
            self.stage = int(resolution)
            self.global_batch = int(global_batch)
            self.train_function = None
        self.g_optimizer.learning_rate = self.schedule.g_lrate(self.stage)
        self.d_optimizer.learning_rate = self.schedule.d_lrate(self.stage)

    def reset_optimizer_state(self):
        """Zero both optimizers' moments and step counters (official ``reset_opt_for_new_lod``);
        learning rates and the dynamic loss scale are kept."""
        for optimizer in (self.g_optimizer, self.d_optimizer):
            inner = getattr(optimizer, "inner_optimizer", optimizer)
            for variable in inner.variables:
                if variable.name != "learning_rate":
                    variable.assign(tf.zeros(variable.shape, variable.dtype))

    def checkpoint_items(self):
        """Everything training needs to continue, for ``tf.train.Checkpoint(**items)``.

        The networks are given as ``{weight path: variable}`` (``named_weights``): Keras 3 does not expose
        sub-layers kept in Python lists (the per-resolution blocks) to tf.train.Checkpoint, so a checkpoint
        of the model objects would silently leave those weights (and all of Gs) out, and names, unlike list
        positions, say which weight is which.
        """
        return {
            "generator": self.generator.named_weights(),
            "discriminator": self.discriminator.named_weights(),
            "ema_generator": self.ema_generator.named_weights(),
            "g_optimizer": self.g_optimizer,
            "d_optimizer": self.d_optimizer,
            "images_seen": self.images_seen,
            "steps": self.steps,
            "rng": self.rng,
            "augment": self.augment.checkpoint_items(),
        }

    def _unpack(self, data):
        """Reals, labels (None when unlabelled) and optional fixed latents from a batch, an
        ``(images, labels)`` pair or a dict batch."""
        if isinstance(data, dict):
            return data["images"], data.get("labels"), data.get("latents_d"), data.get("latents_g")
        if isinstance(data, (tuple, list)):
            return data[0], (data[1] if len(data) > 1 else None), None, None
        return data, None, None, None

    def _check_labels(self, labels):
        label_size = self.generator.config.label_size
        if labels is None and label_size:
            raise ValueError(f"the networks are conditional (label_size={label_size}) but the data has no labels: "
                             "train on a labelled dataset or with label_size 0.")
        if labels is not None and not label_size:
            raise ValueError("the data has labels but the networks are unconditional (label_size 0): build them "
                             f"with label_size={labels.shape[-1]} to train on the labels.")
        if labels is not None and labels.shape[-1] != label_size:
            raise ValueError(f"labels have {labels.shape[-1]} classes but the networks' label_size is {label_size}.")

    def _check_batch(self, images):
        if self.stage is None:
            raise ValueError("call set_stage(resolution, global_batch) before fit().")
        if images.shape[1] != self.stage or images.shape[2] != self.stage:
            raise ValueError(
                f"reals are {images.shape[1]}x{images.shape[2]} but the stage is {self.stage}px: "
                "make the dataset at the stage resolution.")
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        if images.shape[0] is not None and images.shape[0] * replicas != self.global_batch:
            raise ValueError(
                f"per-replica batch {images.shape[0]} x {replicas} replicas != global_batch "
                f"{self.global_batch} given to set_stage(); batch the dataset with drop_remainder.")

    def _latents(self, fixed, batch):
        if fixed is not None:
            return tf.cast(fixed, tf.float32)
        return self.rng.normal([batch, self.generator.config.latent_size])

    def _apply(self, optimizer, loss_grads, variables):
        """Apply the gradients that exist at this stage (the other stages' layers get None).
        Under loss scaling, returns whether they were finite (else the optimizer skipped the step)."""
        pairs = [(g, v) for g, v in zip(loss_grads, variables) if g is not None]
        grads = [g for g, _ in pairs]
        optimizer.apply(grads, [v for _, v in pairs])
        if not self.loss_scaling:
            return None
        return tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads])

    def _update_ema(self):
        """Gs = lerp(G, Gs, beta) over trainable weights; non-trainable ones (w_avg, constant
        noise) copied (official ``Gs.setup_as_moving_average_of(G, beta_nontrainable=0)``)."""
        beta = ema_beta(self.global_batch, self.g_smoothing_kimg)
        pairs = ([(s, g, beta) for s, g in zip(self.ema_generator.trainable_weights,
                                               self.generator.trainable_weights)]
                 + [(s, g, 0.0) for s, g in zip(self.ema_generator.non_trainable_weights,
                                                self.generator.non_trainable_weights)])

        def update(strategy):
            for ema, source, decay in pairs:
                strategy.extended.update(
                    ema.value, lambda e, s, d=decay: e.assign(lerp(s, e, d)), args=(source.value,))

        tf.distribute.get_replica_context().merge_call(update)

    def train_step(self, data):
        """One D step (logistic + R1 or WGAN-GP) and one G step on a global minibatch."""
        images, labels, latents_d, latents_g = self._unpack(data)
        self._check_batch(images)
        self._check_labels(labels)
        if labels is not None:
            labels = tf.cast(labels, tf.float32)
        G, D, cfg, stage = self.generator, self.discriminator, self.loss_config, self.stage
        batch = tf.shape(images)[0]
        if stage in (4, self.schedule.start_resolution):
            alpha = 1.0
            reals = tf.cast(images, tf.float32)
        else:
            alpha = self.schedule.alpha_tensor(self.images_seen, stage)
            reals = fade_reals(tf.cast(images, tf.float32), alpha)
        seeds = tf.unstack(self.rng.uniform_full_int([2, 2], tf.int32))
        mixing = (self.rng.uniform([batch, 1, 1, 1]) if cfg.loss == "wgan_gp" else None)

        def discriminate(x):
            return D(self.augment(x, self.rng), labels=labels, stage=stage, alpha=alpha, training=True)

        fakes = tf.stop_gradient(G(self._latents(latents_d, batch), labels=labels, stage=stage, alpha=alpha,
                                   seed=seeds[0], training=True))
        d_scale = tf.convert_to_tensor(self.d_optimizer.dynamic_scale) if self.loss_scaling else 1.0
        with tf.GradientTape() as tape:
            terms = losses.discriminator_loss(
                cfg, discriminate, reals, fakes, mixing_factors=mixing,
                r1_due=tf.equal(self.steps % cfg.r1_interval, 0), loss_scale=d_scale)
            d_loss = tf.nn.compute_average_loss(terms["loss"], global_batch_size=self.global_batch)
            scaled = self.d_optimizer.scale_loss(d_loss)
        d_finite = self._apply(self.d_optimizer, tape.gradient(scaled, D.trainable_variables),
                               D.trainable_variables)
        self.r_t_tracker.update_state(self.augment.observe(terms["real_score"], self.global_batch, self.steps))

        with tf.GradientTape() as tape:
            fakes = G(self._latents(latents_g, batch), labels=labels, stage=stage, alpha=alpha, seed=seeds[1],
                      training=True)
            g_loss = tf.nn.compute_average_loss(
                losses.generator_loss(cfg, discriminate(fakes)), global_batch_size=self.global_batch)
            scaled = self.g_optimizer.scale_loss(g_loss)
        g_finite = self._apply(self.g_optimizer, tape.gradient(scaled, G.trainable_variables),
                               G.trainable_variables)

        self._update_ema()
        self.images_seen.assign_add(self.global_batch)
        self.steps.assign_add(1)
        return self._logs(d_loss, g_loss, terms, alpha, d_finite, g_finite)

    def _logs(self, d_loss, g_loss, terms, alpha, d_finite, g_finite):
        """Per-step global means (summed over replicas, so every replica logs the same)."""
        def mean(per_example):
            return tf.nn.compute_average_loss(per_example, global_batch_size=self.global_batch)

        names = ["d_loss", "g_loss", self.loss_config.penalty_name, "real_score", "fake_score"]
        local = tf.stack([d_loss, g_loss, mean(terms["penalty"]), mean(terms["real_score"]),
                          mean(terms["fake_score"])])
        total = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, local)
        logs = dict(zip(names, tf.unstack(total)))
        logs["alpha"] = tf.convert_to_tensor(alpha, tf.float32)
        logs["resolution"] = tf.constant(float(self.stage))
        logs["r_t"] = self.r_t_tracker.result()
        if self.augment.method == "ada":
            logs["augment_p"] = self.augment.strength()
        if self.loss_scaling:
            logs["d_loss_scale"] = tf.identity(self.d_optimizer.dynamic_scale)
            logs["g_loss_scale"] = tf.identity(self.g_optimizer.dynamic_scale)
            logs["d_step_skipped"] = 1.0 - tf.cast(d_finite, tf.float32)
            logs["g_step_skipped"] = 1.0 - tf.cast(g_finite, tf.float32)
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras 3.15 reduces fit() outputs across workers with strategy.reduce(MEAN, axis=0),
            # which rejects scalars; [1] tensors come out as the (identical) scalar.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs


def _multi_worker(strategy):
    """True under MultiWorkerMirroredStrategy with more than one worker."""
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


def _with_loss_scaling(optimizer, prefix):
    """``optimizer`` wrapped in a dynamic LossScaleOptimizer (unless it already is one)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{prefix}_loss_scale_optimizer")
