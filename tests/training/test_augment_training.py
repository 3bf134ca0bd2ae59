"""Augmentation in the train step (DiffAugment and ADA on tiny networks): D sees augmented images in both steps,
R1 is taken through the augmentation, every stage, fade-in, precision and conditional training runs finite, and
ADA's p rises while D overfits a tiny set and falls while D cannot tell reals from fakes."""

import math

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.augment import AugmentConfig
from keras_stylegan.augment.diffaugment import cutout
from keras_stylegan.training import losses
from tiny_gan import StepLogs, fit_steps, reals, tiny_model

ADA = AugmentConfig(augment="ada", augment_p=0.8)
DIFFAUG = AugmentConfig(augment="diffaug")


def test_r1_is_the_gradient_with_respect_to_the_unaugmented_reals_through_the_augmentation():
    """D(x) = <a, x> on images cut out by a fixed square: grad_x D(cutout(x)) = a * mask, so R1 = gamma / 2 *
    ||a * mask||^2; taken on the augmented image it would be gamma / 2 * ||a||^2."""
    a = tf.constant(np.random.default_rng(0).normal(size=(1, 8, 8, 3)).astype(np.float32))
    mask = np.ones((8, 8, 3), np.float32)
    mask[2:6, 1:5] = 0.0

    def discriminate(x):
        return tf.reduce_sum(cutout(x, [2, 2], [1, 1], 4) * a, axis=[1, 2, 3])[:, None]

    x = tf.random.stateless_uniform([2, 8, 8, 3], [1, 2], -1.0, 1.0)
    terms = losses.discriminator_loss(losses.LossConfig(r1_gamma=10.0), discriminate, x, x)
    expected = 5.0 * float(np.sum((a.numpy()[0] * mask) ** 2))
    np.testing.assert_allclose(terms["penalty"].numpy(), [expected, expected], rtol=1e-5)


def _first_step_logs(augment, seed=0):
    return fit_steps(tiny_model(augment=augment, seed=seed, resolution=8), 8, 4, 1).steps[0]


def test_d_sees_augmented_images_in_both_steps():
    """The same weights, latents and reals: only the augmentation differs, and it changes D's scores on reals and
    on fakes of the D step and G's loss on the fakes of the G step."""
    plain = _first_step_logs(None)
    for augment in (DIFFAUG, ADA):
        logs = _first_step_logs(augment)
        for key in ("real_score", "fake_score", "g_loss"):
            assert logs[key] != pytest.approx(plain[key], rel=1e-3, abs=1e-4), (augment.augment, key)
    assert "augment_p" not in plain and logs["augment_p"] == pytest.approx(0.8)


@pytest.mark.parametrize("augment, precision", [pytest.param(DIFFAUG, "float32", marks=pytest.mark.slow),
                                                (ADA, "mixed_bfloat16")], ids=["diffaug-float32", "ada-bfloat16"])
def test_every_stage_and_fade_in_trains_finite(policy, augment, precision):
    policy(precision)
    model = tiny_model(augment=augment)
    steps = fit_steps(model, 8, 4, 2).steps
    model.images_seen.assign(24)  # 8 images into the 16 px fade-in: alpha 0.5
    steps += fit_steps(model, 16, 4, 2).steps
    assert [step["alpha"] for step in steps[-2:]] == pytest.approx([0.5, 0.75])  # alpha at each step's start
    for step in steps:
        assert all(math.isfinite(step[key]) for key in ("d_loss", "g_loss", "r1_penalty", "r_t")), step
        assert step["r1_penalty"] > 0


@pytest.mark.slow  # float16 convolutions are slow on CPUs
def test_float16_with_ada_trains_finite(policy):
    """Loss scaling: R1's gradient through the (float32) augmentation is taken of the scaled sum and unscaled."""
    policy("mixed_float16")
    steps = fit_steps(tiny_model(augment=ADA, resolution=8), 8, 4, 2).steps
    assert all(math.isfinite(step["d_loss"]) and step["r1_penalty"] > 0 for step in steps), steps


def test_conditional_training_with_ada():
    model = tiny_model(augment=ADA, label_size=3, resolution=8)
    images = tf.random.stateless_uniform([4, 8, 8, 3], [0, 1], -1.0, 1.0)
    labels = tf.one_hot([0, 1, 2, 1], 3)
    model.set_stage(8, 4)
    recorder = StepLogs()
    model.fit(tf.data.Dataset.from_tensors((images, labels)).repeat(), steps_per_epoch=2, epochs=1, verbose=0,
              callbacks=[recorder])
    assert all(math.isfinite(step["d_loss"]) and math.isfinite(step["g_loss"]) for step in recorder.steps)


def _train_d(model, dataset, steps, d_lrate=None):
    """``steps`` train steps at 8 px with G frozen (its learning rate 0); the logs of every step."""
    model.set_stage(8, 8)
    model.g_optimizer.learning_rate = 0.0
    if d_lrate:
        model.d_optimizer.learning_rate = d_lrate
    recorder = StepLogs()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[recorder])
    return recorder


# p moves by 8 / 160 = 0.05 a step
ADAPTIVE = AugmentConfig(augment="ada", ada_kimg=0.16, ada_interval=1, ada_p_max=1.0)


def test_p_rises_while_d_overfits_a_tiny_set():
    """One batch of 8 images, over and over, with D learning fast: D becomes sure of them (r_t > 0.6) and p rises."""
    model = tiny_model(augment=ADAPTIVE, resolution=8)
    recorder = _train_d(model, reals(8, 8), 20, d_lrate=0.01)
    p = recorder.column("augment_p")
    assert p[-1] >= p[0] + 0.25, p  # p starts at 0
    assert recorder.steps[-1]["r_t"] > 0.3


def test_p_falls_while_d_cannot_tell_reals_from_fakes():
    """The reals are samples of the frozen G itself (no noise, no style mixing), a fresh batch each step: D cannot
    separate them from the fakes, r_t stays below the target and p falls from 0.5 to 0."""
    model = tiny_model(augment=ADAPTIVE, resolution=8, use_noise=False, style_mixing_prob=0.0)
    model.augment.controller.p.assign(0.5)
    samples = model.generator(tf.random.stateless_normal([20 * 8, 16], [0, 2]), stage=8, alpha=1.0)
    dataset = tf.data.Dataset.from_tensor_slices(samples).batch(8, drop_remainder=True).repeat()
    p = _train_d(model, dataset, 20).column("augment_p")
    assert p[0] <= 0.5 and p[-1] <= 0.1, p
