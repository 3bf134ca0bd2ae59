"""Choosing the tf.distribute strategy: data-parallel synchronous training, gradients summed over
replicas (the global batch is the per-replica batch times the number of replicas)."""

import json
import os

import tensorflow as tf

KINDS = ("auto", "default", "mirrored", "multiworker", "tpu")


def make_strategy(kind="auto", tpu_address=""):
    """A ``tf.distribute.Strategy`` for ``kind``:

    "auto": MultiWorkerMirroredStrategy when ``TF_CONFIG`` names a cluster, MirroredStrategy when more
    than one GPU is visible, otherwise the default (one-device) strategy. "mirrored": MirroredStrategy
    over all visible GPUs (or the logical CPUs when there are none). "multiworker": needs TF_CONFIG.
    "tpu": TPUStrategy via ``TPUClusterResolver(tpu_address)`` ("" = the local/Colab TPU).
    Call before anything else touches TensorFlow devices.
    """
    if kind not in KINDS:
        raise ValueError(f"strategy={kind!r} is not one of {KINDS}.")
    if kind == "auto":
        if _tf_config_has_cluster():
            kind = "multiworker"
        elif len(tf.config.list_physical_devices("GPU")) > 1:
            kind = "mirrored"
        else:
            kind = "default"
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices)
    if kind == "multiworker":
        if not _tf_config_has_cluster():
            raise ValueError(
                "strategy='multiworker' needs TF_CONFIG with a cluster and this worker's task "
                '(e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}).')
        return tf.distribute.MultiWorkerMirroredStrategy()
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu_address)
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def _tf_config_has_cluster():
    """True when the TF_CONFIG environment variable describes a cluster."""
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        return False
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"TF_CONFIG is not valid JSON ({err}); fix or unset it.") from None
    return bool(config.get("cluster"))
