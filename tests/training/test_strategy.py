"""make_strategy. Logical devices and TF_CONFIG must be set before TensorFlow initialises, so the
multi-device cases run in a fresh interpreter."""

import json
import os
import socket
import subprocess
import sys

import pytest
import tensorflow as tf

from keras_stylegan.training.strategy import make_strategy

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_python(code, env_extra=None, timeout=120):
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO, **(env_extra or {})})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=timeout, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_default_on_one_cpu(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    for kind in ("auto", "default"):
        strategy = make_strategy(kind)
        assert strategy.num_replicas_in_sync == 1
        assert isinstance(strategy, type(tf.distribute.get_strategy()))


def test_mirrored_on_two_logical_cpus():
    code = (
        "import tensorflow as tf\n"
        "cpu = tf.config.list_physical_devices('CPU')[0]\n"
        "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "from keras_stylegan.training.strategy import make_strategy\n"
        "s = make_strategy('mirrored')\n"
        "print(type(s).__name__, s.num_replicas_in_sync)\n")
    assert run_python(code) == "MirroredStrategy 2"


def test_auto_picks_multiworker_from_tf_config():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tf_config = {"cluster": {"worker": [f"127.0.0.1:{port}"]}, "task": {"type": "worker", "index": 0}}
    code = ("from keras_stylegan.training.strategy import make_strategy\n"
            "s = make_strategy('auto')\n"
            "import tensorflow as tf\n"
            "print(isinstance(s, tf.distribute.MultiWorkerMirroredStrategy), s.num_replicas_in_sync)\n")
    assert run_python(code, {"TF_CONFIG": json.dumps(tf_config)}) == "True 1"


def test_multiworker_without_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs TF_CONFIG"):
        make_strategy("multiworker")


def test_bad_tf_config(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        make_strategy("auto")


def test_unknown_kind():
    with pytest.raises(ValueError, match="--strategy=horovod is not one of auto, default"):
        make_strategy("horovod")


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_tpu_address_where_nothing_answers_is_a_clear_error_within_the_bound():
    from keras_stylegan.errors import UserError

    address = f"grpc://127.0.0.1:{_closed_port()}"
    with pytest.raises(UserError, match=f"--tpu_address={address}: no TPU answers there within 30 s"):
        make_strategy("tpu", address)


def test_a_tpu_without_address_and_no_local_tpu_is_a_clear_error():
    from keras_stylegan.errors import UserError

    with pytest.raises(UserError, match="--strategy=tpu: cannot use the local TPU .*--tpu_address"):
        make_strategy("tpu", "")
