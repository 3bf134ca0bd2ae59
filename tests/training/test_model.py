"""StyleGAN.train_step on tiny networks: bookkeeping by hand, EMA numerically, lazy R1, WGAN-GP,
optimizer reset, checkpoint round trip, bfloat16 and float16 (loss scaling at work)."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.training.losses import LossConfig
from keras_stylegan.networks.fade_in import fade_reals
from keras_stylegan.training.model import ema_beta, nonfinite_losses
from tiny_gan import StepLogs, adam, fit_steps, reals, tiny_model

LOSS_KEYS = ("d_loss", "g_loss", "r1_penalty", "real_score", "fake_score")


def test_steps_advance_images_seen_and_alpha_exactly():
    model = tiny_model()
    stable = fit_steps(model, 8, 4, 4)
    assert int(model.images_seen.numpy()) == 16 and int(model.steps.numpy()) == 4
    assert stable.column("alpha") == [1.0] * 4 and stable.column("resolution") == [8.0] * 4
    fade = fit_steps(model, 16, 4, 4)
    # Steps start at 16, 20, 24, 28 images; lod = 1 - (n - 16) / 16, alpha = 1 - lod at 16 px.
    np.testing.assert_allclose(fade.column("alpha"), [0.0, 0.25, 0.5, 0.75], atol=1e-6)
    assert fade.column("resolution") == [16.0] * 4
    assert int(model.images_seen.numpy()) == 32
    for step in stable.steps + fade.steps:
        assert all(math.isfinite(step[k]) for k in LOSS_KEYS), step
        assert nonfinite_losses(step) == []
    assert min(stable.column("r1_penalty")) > 0


def test_fade_reals_blends_the_lower_resolution():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    # 2x2 block means of x, repeated back to 4x4 by hand.
    low = np.array([[2.5, 2.5, 4.5, 4.5], [2.5, 2.5, 4.5, 4.5],
                    [10.5, 10.5, 12.5, 12.5], [10.5, 10.5, 12.5, 12.5]], np.float32)
    got = fade_reals(tf.constant(x), tf.constant(0.25))
    np.testing.assert_allclose(got[0, :, :, 0], 0.75 * low + 0.25 * x[0, :, :, 0], rtol=1e-6)


def test_ema_beta_formula():
    assert ema_beta(4, 0.004) == 0.5
    # 0.5 ** (32 / 10000) = exp(-0.0032 ln 2) = 0.9977844...
    assert ema_beta(32, 10.0) == pytest.approx(0.9977844, abs=1e-7)
    assert ema_beta(32, 0.0) == 0.0


def test_ema_generator_is_beta_blend_after_one_step():
    model = tiny_model(g_smoothing_kimg=0.016)   # global batch 4 -> beta = 0.5 ** (4 / 16)
    beta = 0.5 ** 0.25
    before = [w.numpy() for w in model.generator.trainable_weights]
    np.testing.assert_array_equal(before[0], model.ema_generator.trainable_weights[0].numpy())
    fit_steps(model, 8, 4, 1)
    moved = 0
    for b, g, s in zip(before, model.generator.trainable_weights, model.ema_generator.trainable_weights):
        np.testing.assert_allclose(s.numpy(), beta * b + (1 - beta) * g.numpy(), rtol=1e-5, atol=1e-7)
        moved += not np.allclose(b, g.numpy())
    assert moved > 10
    np.testing.assert_array_equal(model.ema_generator.w_avg.numpy(), model.generator.w_avg.numpy())
    assert np.abs(model.generator.w_avg.numpy()).sum() > 0


def test_lazy_r1_every_second_step():
    model = tiny_model(loss=LossConfig(r1_gamma=10.0, r1_interval=2))
    penalties = fit_steps(model, 8, 4, 4).column("r1_penalty")
    assert penalties[0] > 0 and penalties[2] > 0
    assert penalties[1] == 0 and penalties[3] == 0


def test_xla_compiled_steps_give_the_same_losses():  # 16 s on 2 quiet cores (AVX512); minutes under load
    """compile(jit_compile=True): the train step (logistic + R1's double backprop) as one XLA program gives
    the plain step's losses: the first step to float32 rounding, the second to 1e-3 (Adam's first updates
    are about +-lr whatever a gradient's size, so rounding that flips a near-zero gradient shows).

    XLA turns the same random bits into other floats than TensorFlow's kernels do (normal and uniform
    draws alike), so z is fixed and noise and style mixing are off here.
    """
    plain, xla = (tiny_model(jit_compile=jit, use_noise=False, style_mixing_prob=0.0) for jit in (False, True))
    assert xla.jit_compile and not plain.jit_compile
    z = tf.random.stateless_normal([2, 4, 16], [7, 7])
    batches = tf.data.Dataset.from_tensors(
        {"images": tf.random.stateless_uniform([4, 16, 16, 3], [0, 1], -1.0, 1.0),
         "latents_d": z[0], "latents_g": z[1]}).repeat()
    logs = []
    for model in (plain, xla):
        model.set_stage(16, 4)  # a fade-in: alpha is a variable
        logs.append(StepLogs())
        model.fit(batches, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False, callbacks=[logs[-1]])
    expected, got = logs
    for step, rtol in ((0, 1e-4), (1, 1e-3)):
        for name in ("d_loss", "g_loss", "r1_penalty", "real_score", "fake_score", "alpha"):
            np.testing.assert_allclose(got.steps[step][name], expected.steps[step][name], rtol=rtol, atol=1e-6,
                                       err_msg=f"step {step} {name}")


def test_wgan_gp_trains_finite():
    model = tiny_model(loss=LossConfig(loss="wgan_gp"))
    logs = fit_steps(model, 16, 4, 2)
    for step in logs.steps:
        assert step["gradient_penalty"] > 0
        assert all(math.isfinite(step[k]) for k in ("d_loss", "g_loss", "gradient_penalty"))


def test_set_stage_sets_learning_rates_and_checks_arguments():
    model = tiny_model()
    model.schedule = type(model.schedule)(final_resolution=16, start_resolution=8,
                                          g_lrate_dict={16: 0.002}, d_lrate_dict={16: 0.003})
    model.set_stage(16, 4)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(0.002)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(0.003)
    with pytest.raises(ValueError, match="stage"):
        model.set_stage(12, 4)
    with pytest.raises(ValueError, match="global_batch=0"):
        model.set_stage(8, 0)


def test_bad_batches_fail_clearly():
    model = tiny_model()
    model.set_stage(16, 4)
    with pytest.raises(ValueError, match="stage is 16px"):
        model.fit(reals(8, 4), steps_per_epoch=1, verbose=0, shuffle=False)
    model.set_stage(8, 8)
    with pytest.raises(ValueError, match="global_batch 8"):
        model.fit(reals(8, 4), steps_per_epoch=1, verbose=0, shuffle=False)


def test_reset_optimizer_state_zeroes_moments_keeps_learning_rate():
    model = tiny_model()
    fit_steps(model, 8, 4, 1)
    inner = model.d_optimizer
    assert int(inner.iterations.numpy()) == 1
    assert any(np.abs(v.numpy()).sum() > 0 for v in inner.variables if "velocity" in v.path)
    model.reset_optimizer_state()
    for optimizer in (model.g_optimizer, model.d_optimizer):
        assert int(optimizer.iterations.numpy()) == 0
        assert all(np.abs(v.numpy()).sum() == 0 for v in optimizer.variables
                   if "velocity" in v.path or "momentum" in v.path)
        assert float(optimizer.learning_rate) == pytest.approx(0.001)


def network_weights(model):
    return [w.numpy() for net in (model.generator, model.discriminator, model.ema_generator)
            for w in net.weights]


def test_checkpoint_restores_every_network_weight(tmp_path):
    model = tiny_model()
    fit_steps(model, 8, 4, 1)
    saved = network_weights(model)
    path = tf.train.Checkpoint(**model.checkpoint_items()).write(str(tmp_path / "ckpt"))
    for net in (model.generator, model.discriminator, model.ema_generator):
        for w in net.weights:
            w.assign(tf.fill(w.shape, 7.0))
    tf.train.Checkpoint(**model.checkpoint_items()).read(path).assert_consumed()
    for a, b in zip(saved, network_weights(model)):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_round_trip_continues_the_same_run(tmp_path):
    model = tiny_model()
    fit_steps(model, 8, 4, 2)
    path = tf.train.Checkpoint(**model.checkpoint_items()).write(str(tmp_path / "ckpt"))
    rng_state = model.rng.state.numpy()
    fit_steps(model, 8, 4, 1)
    first = [w.numpy() for w in model.generator.trainable_weights]
    tf.train.Checkpoint(**model.checkpoint_items()).read(path).assert_consumed()
    assert int(model.images_seen.numpy()) == 8 and int(model.steps.numpy()) == 2
    np.testing.assert_array_equal(model.rng.state.numpy(), rng_state)
    fit_steps(model, 8, 4, 1)   # the restored RNG gives the same latents and noise
    again = [w.numpy() for w in model.generator.trainable_weights]
    # Equal up to CPU reduction-order noise (~1e-6); a step on other latents moves weights ~1e-3.
    assert max(np.abs(a - b).max() for a, b in zip(first, again)) < 1e-4
    tf.train.Checkpoint(**model.checkpoint_items()).read(path)
    model.rng.normal([1])
    fit_steps(model, 8, 4, 1)
    other = [w.numpy() for w in model.generator.trainable_weights]
    assert max(np.abs(a - b).max() for a, b in zip(first, other)) > 1e-3


def test_nonfinite_losses_helper():
    assert nonfinite_losses({"d_loss": 1.0, "g_loss": float("nan")}) == ["g_loss"]
    assert nonfinite_losses({"d_loss": float("inf"), "g_loss": 0.5}) == ["d_loss"]
    # Under float16 a step the loss scaler skipped is not a divergence.
    assert nonfinite_losses({"d_loss": float("inf"), "d_step_skipped": 1.0, "g_loss": 0.5}) == []


def test_mixed_bfloat16_losses_finite(policy):
    policy("mixed_bfloat16")
    model = tiny_model()
    assert model.generator.compute_dtype == "bfloat16"
    logs = fit_steps(model, 8, 4, 2).steps + fit_steps(model, 16, 4, 1).steps
    for step in logs:
        assert all(math.isfinite(step[k]) for k in LOSS_KEYS), step
    assert model.generator.w_avg.dtype == "float32"


def test_mixed_float16_dynamic_loss_scale_skips_overflow_then_trains(policy):
    # float16 convolutions are very slow on CPU: 8 px net trained at 4 px, batch 2.
    policy("mixed_float16")
    lso = [keras.optimizers.LossScaleOptimizer(adam(), initial_scale=2.0 ** 20) for _ in range(2)]
    model = tiny_model(resolution=8, fmap_base=32, fmap_max=16, optimizers=lso)
    model.schedule = type(model.schedule)(final_resolution=8, start_resolution=4)
    d_before = [w.numpy() for w in model.discriminator.trainable_weights]
    logs = fit_steps(model, 4, 2, 1)
    step = logs.steps[0]
    # 2^20 overflows float16 (max 65504): step skipped, D unchanged, scale halved.
    assert step["d_step_skipped"] == 1.0 and step["d_loss_scale"] == 2.0 ** 19
    for b, w in zip(d_before, model.discriminator.trainable_weights):
        np.testing.assert_array_equal(b, w.numpy())
    assert nonfinite_losses(step) == []
    logs = fit_steps(model, 4, 2, 7)
    scales = [step["d_loss_scale"]] + logs.column("d_loss_scale")
    skipped = logs.column("d_step_skipped")
    for before, after, skip in zip(scales, scales[1:], skipped):
        assert after == (before / 2 if skip else before)   # halved on overflow only
    assert 0.0 in skipped, scales                          # came down far enough to train D
    applied = [s for s in logs.steps if s["d_step_skipped"] == 0.0]
    assert all(math.isfinite(s["d_loss"]) and math.isfinite(s["r1_penalty"]) for s in applied)
    assert any(not np.array_equal(b, w.numpy())
               for b, w in zip(d_before, model.discriminator.trainable_weights))


def test_mixed_float16_generator_trains_at_the_default_loss_scale(policy):
    # The constant input has zero spatial variance, so instance norm multiplies its gradient by
    # 1/sqrt(1e-8): in float16 that overflowed at every usual scale and G skipped step after step
    # (measured: 12 of 12 at an initial 2^15). The constant and its epilogue now stay float32.
    policy("mixed_float16")
    lso = [keras.optimizers.LossScaleOptimizer(adam(), initial_scale=2.0 ** 15) for _ in range(2)]
    model = tiny_model(resolution=8, fmap_base=32, fmap_max=16, optimizers=lso)
    model.schedule = type(model.schedule)(final_resolution=8, start_resolution=4)
    logs = fit_steps(model, 4, 2, 6)
    assert sum(logs.column("g_step_skipped")) <= 1, logs.column("g_loss_scale")
