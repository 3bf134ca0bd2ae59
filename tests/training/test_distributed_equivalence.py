"""MirroredStrategy on 2 logical CPUs: two replicas of B/2 make the same update as one device with B.

Logical devices must be configured before TensorFlow initialises, so the work runs in a fresh
interpreter (this file run as a script) and reports JSON. The randomness is made to match: latents are
fed with the batch, noise is off and style mixing off. The minibatch-stddev groups (sample n of N is in
group n mod N/4) match when the one-device batch interleaves the two replicas' halves. SGD is used
for the comparison because Adam's first step, lr * g / |g|, would hide a wrong gradient scale.
"""

import json
import math
import os
import socket
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PER_REPLICA = 4


def _child():
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np

    sys.path.insert(0, HERE)
    from keras_stylegan.training.strategy import make_strategy
    from tiny_gan import StepLogs, tiny_model

    strategy = make_strategy("mirrored")
    arch = dict(use_noise=False, style_mixing_prob=0.0, mbstd_group_size=4)
    sgd = lambda: keras.optimizers.SGD(0.01)  # noqa: E731
    single = tiny_model(optimizers=(sgd(), sgd()), g_smoothing_kimg=0.016, **arch)
    with strategy.scope():
        mirrored = tiny_model(optimizers=(sgd(), sgd()), g_smoothing_kimg=0.016, **arch)
    for a, b in ((single.generator, mirrored.generator), (single.discriminator, mirrored.discriminator),
                 (single.ema_generator, mirrored.ema_generator)):
        b.set_weights(a.get_weights())
    start = {k: [w.numpy() for w in m.weights] for k, m in
             (("G", single.generator), ("D", single.discriminator), ("Gs", single.ema_generator))}

    batch = 2 * PER_REPLICA
    rng = np.random.default_rng(0)
    data = {"images": rng.uniform(-1, 1, (batch, 16, 16, 3)).astype(np.float32),
            "latents_d": rng.normal(size=(batch, 16)).astype(np.float32),
            "latents_g": rng.normal(size=(batch, 16)).astype(np.float32)}
    # Replica r gets rows r*B/2 .. ; the one-device batch interleaves them: 0, 4, 1, 5, ...
    order = np.arange(batch).reshape(2, PER_REPLICA).T.reshape(-1)
    logs = {}
    for name, model, batch_data in (("single", single, {k: v[order] for k, v in data.items()}),
                                    ("mirrored", mirrored, data)):
        model.images_seen.assign(24)   # 8 images into the 16 px fade-in: alpha 0.5
        model.set_stage(16, batch)
        recorder = StepLogs()
        model.fit(tf.data.Dataset.from_tensors(batch_data).repeat(), steps_per_epoch=1, verbose=0,
                  shuffle=False, callbacks=[recorder])
        logs[name] = recorder.steps[0]

    def compare(a_model, b_model, key):
        rows = []
        for w0, a, b in zip(start[key], a_model.weights, b_model.weights):
            update = float(np.abs(a.numpy() - w0).max())
            diff = float(np.abs(a.numpy() - b.numpy()).max())
            rows.append((a.path, update, diff))
        return rows

    result = {
        "logs": logs,
        "G": compare(single.generator, mirrored.generator, "G"),
        "D": compare(single.discriminator, mirrored.discriminator, "D"),
        "Gs": compare(single.ema_generator, mirrored.ema_generator, "Gs"),
        "images_seen": [int(single.images_seen.numpy()), int(mirrored.images_seen.numpy())],
        "replicas": strategy.num_replicas_in_sync,
    }
    # Latents drawn by the model's RNG differ between replicas.
    draws = strategy.run(lambda: mirrored.rng.normal([3]))
    local = [t.numpy() for t in strategy.experimental_local_results(draws)]
    result["replica_draws_differ"] = bool(np.abs(local[0] - local[1]).max() > 1e-3)
    # Training with the model's own randomness and Adam stays finite under the strategy, with lazy R1
    # (a tf.cond around the nested tape) and with WGAN-GP.
    from keras_stylegan.training.losses import LossConfig

    result["adam_logs"] = {}
    for loss in (LossConfig(r1_interval=2), LossConfig(loss="wgan_gp")):
        with strategy.scope():
            adam_model = tiny_model(loss=loss, **{**arch, "use_noise": True, "style_mixing_prob": 0.9})
        recorder = StepLogs()
        adam_model.set_stage(8, batch)
        adam_model.fit(tf.data.Dataset.from_tensors(data["images"][:, ::2, ::2]).repeat(),
                       steps_per_epoch=2, verbose=0, shuffle=False, callbacks=[recorder])
        result["adam_logs"][f"{loss.loss}/{loss.r1_interval}"] = recorder.steps
    # ADA's r_t sums are all-reduced. Step 0: replica 0 sees 4 negative reals, replica 1 4 positive; step 1: replica
    # 0 two of each, replica 1 4 positive. Over the interval r_t = (-4 + 4 + 0 + 4) / 16 = 0.25 > 0: p rises by
    # global batch 8 x interval 2 / 32 = 0.5 (replica 0 alone would see r_t = -0.5 and keep p at 0).
    from keras_stylegan.augment import AugmentConfig
    from keras_stylegan.augment.ada_controller import AdaController, sign_totals

    with strategy.scope():
        controller = AdaController(target=0.0, kimg=0.032, interval=2)
    steps = [tf.constant([[-1.0, -2.0, -0.5, -3.0], [1.0, 2.0, 0.5, 3.0]]),
             tf.constant([[-1.0, 2.0, -0.5, 3.0], [1.0, 2.0, 0.5, 3.0]])]
    result["ada_sums"] = []
    for step, scores in enumerate(steps):
        per_replica = strategy.experimental_distribute_values_from_function(
            lambda context, s=scores: s[context.replica_id_in_sync_group])
        strategy.run(lambda x, step=step: controller.update(sign_totals(x), 8, step), args=(per_replica,))
        result["ada_sums"].append([float(controller.sign_sum.numpy()), float(controller.sign_count.numpy())])
    result["ada_p"] = [float(v.numpy()) for v in strategy.experimental_local_results(controller.p)]
    with strategy.scope():
        ada_model = tiny_model(augment=AugmentConfig(augment="ada", ada_kimg=0.008, ada_interval=1,
                                                     ada_target=-0.99), **arch)
    recorder = StepLogs()
    ada_model.set_stage(8, batch)
    ada_model.fit(tf.data.Dataset.from_tensors(data["images"][:, ::2, ::2]).repeat(), steps_per_epoch=3,
                  verbose=0, shuffle=False, callbacks=[recorder])
    result["ada_logs"] = recorder.steps
    result["ada_model_p"] = [float(v.numpy()) for v in
                             strategy.experimental_local_results(ada_model.augment.controller.p)]
    print("RESULT " + json.dumps(result))


@pytest.fixture(scope="module")
def result():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
    env.pop("TF_CONFIG", None)
    out = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True,
                         timeout=600, cwd=REPO)
    assert out.returncode == 0, out.stderr[-4000:]
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


@pytest.mark.parametrize("network", ["G", "D", "Gs"])
def test_two_replicas_update_like_one_device(result, network):
    assert result["replicas"] == 2
    moved = [(path, update, diff) for path, update, diff in result[network] if update > 0]
    assert len(moved) >= 5, result[network]
    for path, update, diff in moved:
        # 1e-6 absolute: e.g. the bias before the first instance norm has a zero gradient in exact
        # arithmetic, so its "update" is round-off that differs with the reduction order.
        assert diff <= 1e-3 * update + 1e-6, (path, update, diff)


def test_same_logs_and_bookkeeping(result):
    single, mirrored = result["logs"]["single"], result["logs"]["mirrored"]
    assert single["alpha"] == pytest.approx(0.5) and mirrored["alpha"] == pytest.approx(0.5)
    for key in ("d_loss", "g_loss", "r1_penalty", "real_score", "fake_score"):
        assert mirrored[key] == pytest.approx(single[key], rel=1e-4, abs=1e-6), key
    assert result["images_seen"] == [32, 32]


def test_replicas_draw_different_randomness_and_train_finite(result):
    assert result["replica_draws_differ"]
    for name, steps in result["adam_logs"].items():
        penalty = "gradient_penalty" if name.startswith("wgan") else "r1_penalty"
        assert len(steps) == 2
        for step in steps:
            for key in ("d_loss", "g_loss", penalty):
                assert math.isfinite(step[key]), (name, step)
        assert steps[0][penalty] > 0
    assert result["adam_logs"]["logistic/2"][1]["r1_penalty"] == 0   # lazy R1: skipped on step 2


def test_ada_p_follows_the_signs_of_every_replica_and_is_the_same_on_each(result):
    assert result["ada_sums"] == [[0.0, 8.0], [0.0, 0.0]]  # both replicas' reals; reset after the adjustment
    assert result["ada_p"] == [0.5, 0.5]
    steps = result["ada_logs"]
    assert all(math.isfinite(step["d_loss"]) and math.isfinite(step["r_t"]) for step in steps)
    assert result["ada_model_p"][0] == result["ada_model_p"][1] == pytest.approx(steps[-1]["augment_p"])


def _worker():
    """One of two MultiWorkerMirroredStrategy workers (TF_CONFIG set by the test): 2 train steps, then
    a checksum of the weights, which must agree between the workers."""
    import numpy as np
    import tensorflow as tf

    sys.path.insert(0, HERE)
    from keras_stylegan.training.strategy import make_strategy
    from tiny_gan import StepLogs, reals, tiny_model

    strategy = make_strategy("auto")
    with strategy.scope():
        model = tiny_model()
    model.set_stage(8, 2 * PER_REPLICA)
    recorder = StepLogs()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    model.fit(reals(8, 2 * PER_REPLICA).with_options(options), steps_per_epoch=2, verbose=0,
              shuffle=False, callbacks=[recorder])
    weights = model.generator.weights + model.discriminator.weights + model.ema_generator.weights
    print("RESULT " + json.dumps({
        "replicas": strategy.num_replicas_in_sync,
        "checksum": float(sum(np.abs(w.numpy()).astype(np.float64).sum() for w in weights)),
        "images_seen": int(model.images_seen.numpy()),
        "logs": recorder.steps}))


def test_two_multiworker_processes_stay_in_sync():
    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO, "TF_CONFIG": tf_config}
        procs.append(subprocess.Popen([sys.executable, __file__, "worker"], env=env, cwd=REPO,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-4000:]
        line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1]
        results.append(json.loads(line[len("RESULT "):]))
    assert [r["replicas"] for r in results] == [2, 2]
    assert [r["images_seen"] for r in results] == [16, 16]
    assert results[0]["checksum"] == pytest.approx(results[1]["checksum"], rel=1e-9)
    assert results[0]["logs"] == results[1]["logs"]   # logs are global means, the same on every worker


if __name__ == "__main__":
    _worker() if sys.argv[1:] == ["worker"] else _child()
