"""Projecting images into the generator's latent space: the w (or one w per style layer) and the noise
images whose synthesis is closest to each target (StyleGAN2, Karras et al. 2020, Sec. 5 and App. D;
Image2StyleGAN, Abdal et al. 2019, for W+).

The optimisation follows NVIDIA's projector (schedule and defaults: :mod:`keras_stylegan.projection.schedule`):
w starts at the mean of ``w_avg_samples`` mapped zs, every step synthesises ``w + noise`` (the noise ramped
to zero by 75% of the steps) with the noise inputs being optimised, and Adam (beta 0.9 / 0.999, epsilon
1e-8) minimises ``distance + noise_regularize * autocorrelation penalty``; the noise images are renormalised
after each step. In W+ every style layer has its own w, all starting at the mean.

Several targets are projected at once as a batch, each with its own w and noise images: the loss is the sum
of the targets' losses, so each target's gradients are those of its own loss and Adam acts element by
element, and every random draw of target k comes from ``numpy.random.default_rng([seed, k])``: a target's
projection does not depend on the batch it is in (up to float rounding).
"""

import dataclasses

import numpy as np
import tensorflow as tf

from keras_stylegan.inference.sampler import to_uint8
from keras_stylegan.projection.losses import MsSsimL1, noise_regularization, normalize_noise
from keras_stylegan.projection.schedule import ProjectionConfig

ADAM_BETA_1, ADAM_BETA_2, ADAM_EPSILON = 0.9, 0.999, 1e-8
W_SAMPLES_SEED = 123  # zs of the w statistics (NVIDIA's projector draws them from RandomState(123) too)
MAPPING_BATCH = 1000


def w_statistics(generator, num_samples, labels=None):
    """``(w_avg [D], w_std)``: the mean of ``num_samples`` mapped zs (``labels`` a one-hot row for a
    conditional network) and the root mean square distance of them from it (NVIDIA's ``w_std``)."""
    z = np.random.RandomState(W_SAMPLES_SEED).randn(num_samples, generator.config.latent_size).astype(np.float32)
    ws = []
    for start in range(0, num_samples, MAPPING_BATCH):
        batch = z[start:start + MAPPING_BATCH]
        batch_labels = None if labels is None else np.repeat(np.asarray(labels, np.float32)[None], len(batch), 0)
        ws.append(tf.cast(generator.mapping(batch, batch_labels), tf.float32).numpy())
    ws = np.concatenate(ws).astype(np.float64)
    w_avg = ws.mean(axis=0)
    return w_avg.astype(np.float32), float(np.sqrt(np.sum((ws - w_avg) ** 2) / num_samples))


@dataclasses.dataclass
class Projection:
    """What :meth:`Projector.project` found for a batch of targets."""

    ws: np.ndarray  # float32 [N, num_layers, w_dim]: one row per style layer (all equal in W)
    noise: list  # float32 [N, H, W, 1] per styled layer active at the stage; None: the network's constant noise
    images: np.ndarray  # uint8 [N, R, R, C]: the synthesis of ws and noise
    distances: np.ndarray  # float64 [N]: the distance of each image to its target at the end


class Projector:
    """Projects uint8 targets at the generator's sampling stage (see the module docstring).

    The generator computes in float32 here whatever its policy (a mixed-precision snapshot is copied), so
    that small steps at the end of the schedule are not lost to bfloat16 rounding.
    """

    def __init__(
        self,
        generator,  # a keras_stylegan Generator; projects at its sampling stage and alpha
        config=None,  # ProjectionConfig; None = NVIDIA's defaults (W)
        distance=None,  # an image distance of keras_stylegan.projection.losses; None = ms_ssim_l1
        labels=None,  # one-hot class [label_size] of a conditional network: the w statistics are the class's
    ):
        self.generator = generator = generator.with_policy("float32")
        self.config = config or ProjectionConfig()
        self.distance = distance or MsSsimL1()
        self.w_avg, self.w_std = w_statistics(generator, self.config.w_avg_samples, labels)
        self.noise_shapes = generator.synthesis.noise_shapes(generator.stage) if generator.config.use_noise else []
        self._step = tf.function(self._adam_step, reduce_retracing=True)
        self._render = tf.function(self._synthesize, reduce_retracing=True)

    @property
    def optimizes_noise(self):
        return self.config.optimize_noise and bool(self.noise_shapes)

    def broadcast(self, w_opt):
        """[N, 1 or L, D] -> [N, L, D]."""
        return tf.broadcast_to(w_opt, [tf.shape(w_opt)[0], self.generator.num_layers, w_opt.shape[-1]])

    def _synthesize(self, w_opt, noise):
        return self.generator.synthesize(self.broadcast(w_opt), noise_mode="const", noise=noise or None)

    def _adam_step(self, w_opt, noise, moments, step, learning_rate, w_noise, prepared):
        """One step: the loss of ``w_opt + w_noise`` with ``noise``, Adam's update of both, renormalised noise."""
        params = [w_opt] + list(noise)
        with tf.GradientTape() as tape:
            tape.watch(params)
            images = self._synthesize(w_opt + w_noise, list(noise))
            distances = self.distance(images, prepared)
            loss = distances
            if noise:
                loss += self.config.noise_regularize * noise_regularization(list(noise))
            total = tf.reduce_sum(loss)
        gradients = tape.gradient(total, params)
        t = tf.cast(step + 1, tf.float32)
        updated, new_moments = [], []
        for param, gradient, (m, v) in zip(params, gradients, moments):
            m = ADAM_BETA_1 * m + (1.0 - ADAM_BETA_1) * gradient
            v = ADAM_BETA_2 * v + (1.0 - ADAM_BETA_2) * tf.square(gradient)
            m_hat, v_hat = m / (1.0 - ADAM_BETA_1 ** t), v / (1.0 - ADAM_BETA_2 ** t)
            updated.append(param - learning_rate * m_hat / (tf.sqrt(v_hat) + ADAM_EPSILON))
            new_moments.append((m, v))
        return updated[0], normalize_noise(updated[1:]), new_moments, distances

    def project(
        self,
        targets,  # uint8 [N, R, R, C] at the generator's sampling stage
        seed=0,  # the random draws of target k come from numpy.random.default_rng([seed, first_index + k])
        first_index=0,  # index of targets[0] among all targets of a run (batches of one run differ in it)
        callback=None,  # callback(step, w_opt [N, 1 or L, D], noise) after every step
    ):
        """A :class:`Projection` of ``targets``."""
        targets = np.asarray(targets)
        stage, channels = self.generator.stage, self.generator.config.num_channels
        if targets.dtype != np.uint8 or targets.ndim != 4 or targets.shape[1:] != (stage, stage, channels):
            raise ValueError(f"targets must be uint8 [N, {stage}, {stage}, {channels}], got {targets.dtype} "
                             f"{list(targets.shape)}.")
        count, layers = len(targets), 1 if self.config.space == "w" else self.generator.num_layers
        rngs = [np.random.default_rng([seed, first_index + k]) for k in range(count)]
        prepared = self.distance.prepare(tf.convert_to_tensor(targets, tf.float32) / 127.5 - 1.0)
        w_opt = tf.constant(np.broadcast_to(self.w_avg, [count, layers, self.w_avg.size]), tf.float32)
        noise = []
        if self.optimizes_noise:
            noise = [tf.constant(np.stack([rng.standard_normal([h, w, 1]) for rng in rngs]), tf.float32)
                     for h, w in self.noise_shapes]
        moments = [(tf.zeros_like(p), tf.zeros_like(p)) for p in [w_opt] + noise]
        for step in range(self.config.num_steps):
            scale = self.config.w_noise_scale(step, self.w_std)
            w_noise = np.stack([rng.standard_normal([layers, self.w_avg.size]) for rng in rngs]) * scale
            w_opt, noise, moments, _ = self._step(
                w_opt, noise, moments, tf.constant(step), tf.constant(self.config.learning_rate_at(step), tf.float32),
                tf.constant(w_noise, tf.float32), prepared)
            if callback is not None:
                callback(step, w_opt, noise)
        images = self._render(w_opt, noise)
        distances = self.distance(images, prepared).numpy().astype(np.float64)
        return Projection(ws=self.broadcast(w_opt).numpy(), noise=[n.numpy() for n in noise] or None,
                          images=to_uint8(images).numpy(), distances=distances)
