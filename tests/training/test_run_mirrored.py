"""run() under MirroredStrategy on 2 logical CPU devices (a subprocess: devices are fixed at TF start)."""

import os
import subprocess
import sys

import tensorflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = """
import sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
sys.path.insert(0, {tests!r})
from training.test_run import tiny_config
from keras_stylegan.training.run import run
import dataclasses

def factory(resolution, global_batch, input_context, seed):
    batch = input_context.get_per_replica_batch_size(global_batch) if input_context else global_batch
    images = np.random.RandomState(seed).uniform(-1, 1, [batch, resolution, resolution, 3]).astype(np.float32)
    return tf.data.Dataset.from_tensors(images).repeat()

config = dataclasses.replace(tiny_config({outdir!r}), strategy="mirrored")
print("RUN_DIR", run(config, factory))
"""


def test_mirrored_two_cpu_replicas_train_and_checkpoint(tmp_path):
    script = SCRIPT.format(tests=os.path.join(REPO, "tests"), outdir=str(tmp_path))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=REPO)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MirroredStrategy with 2 replica(s)" in result.stdout
    assert "minibatch 16" in result.stdout  # per-replica 8 x 2 replicas
    run_dir = result.stdout.split("RUN_DIR ")[1].strip()
    latest = tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints"))
    assert latest.endswith("ckpt-64")
    assert tf.train.load_checkpoint(latest).get_tensor("images_seen/.ATTRIBUTES/VARIABLE_VALUE") == 64
