"""Choosing the tf.distribute strategy: data-parallel synchronous training, gradients summed over
replicas (the global batch is the per-replica batch times the number of replicas)."""

import json
import os
import socket
import urllib.parse

import tensorflow as tf

from keras_stylegan.errors import UserError

KINDS = ("auto", "default", "mirrored", "multiworker", "tpu")
TPU_CONNECT_SECONDS = 30  # how long a grpc:// TPU address may take to accept a connection


def make_strategy(kind="auto", tpu_address=""):
    """A ``tf.distribute.Strategy`` for ``kind``:

    "auto": MultiWorkerMirroredStrategy when ``TF_CONFIG`` names a cluster, MirroredStrategy when more
    than one GPU is visible, otherwise the default (one-device) strategy. "mirrored": MirroredStrategy
    over all visible GPUs (or the logical CPUs when there are none). "multiworker": needs TF_CONFIG.
    "tpu": TPUStrategy via ``TPUClusterResolver(tpu_address)`` ("" = the local/Colab TPU).
    Call before anything else touches TensorFlow devices.
    """
    if kind not in KINDS:
        raise UserError(f"--strategy={kind} is not one of {', '.join(KINDS)}.")
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
            raise UserError(
                "--strategy=multiworker needs TF_CONFIG with a cluster and this worker's task "
                '(e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}).')
        return tf.distribute.MultiWorkerMirroredStrategy()
    return _tpu_strategy(tpu_address)


def _tpu_strategy(tpu_address):
    """TPUStrategy for ``tpu_address``; a grpc:// address must accept a TCP connection within
    ``TPU_CONNECT_SECONDS`` (TensorFlow itself waits without end for one that does not answer)."""
    where = tpu_address or "the local TPU"
    if tpu_address.startswith("grpc://"):
        address = urllib.parse.urlsplit(tpu_address)
        try:
            socket.create_connection((address.hostname, address.port), timeout=TPU_CONNECT_SECONDS).close()
        except (OSError, ValueError, TypeError) as error:
            raise UserError(f"--tpu_address={tpu_address}: no TPU answers there within {TPU_CONNECT_SECONDS} s "
                            f"({error}); check the address and that the TPU is running.") from None
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu_address)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        raise UserError(f"--strategy=tpu: cannot use {where} ({' '.join(str(error).split())}); give the TPU's "
                        "name or grpc://host:port with --tpu_address, or use another --strategy.") from None
    return tf.distribute.TPUStrategy(resolver)


def _tf_config_has_cluster():
    """True when the TF_CONFIG environment variable describes a cluster."""
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        return False
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as err:
        raise UserError(f"TF_CONFIG is not valid JSON ({err}); fix or unset it.") from None
    return bool(config.get("cluster"))
