"""Choosing the Keras mixed-precision policy (Micikevicius et al. 2018, "Mixed Precision Training").

Variables stay float32; layers compute in float16 or bfloat16. float16 needs dynamic loss scaling
(the model wraps its optimizers in ``keras.optimizers.LossScaleOptimizer``); bfloat16 has float32's
exponent range and needs none. On a CPU with AVX512-BF16 a 32 px G+D step with R1 ran ~2.8x faster in
mixed_bfloat16 than in float32, while float16 convolutions ran ~500x slower (CPUs have no fast float16
kernels): :func:`slow_precision_warning` says so when float16 is asked for without a GPU.
"""

import tensorflow as tf

from keras_stylegan.errors import UserError

PRECISIONS = {
    "float32": "float32",
    "float16": "mixed_float16",
    "bfloat16": "mixed_bfloat16",
}
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_fast_bfloat16(cpuinfo_path="/proc/cpuinfo"):
    """True when the CPU advertises native bfloat16 arithmetic (AVX512-BF16 or AMX-BF16) in
    ``/proc/cpuinfo``; False where the file is missing (non-Linux)."""
    try:
        with open(cpuinfo_path) as f:
            for line in f:
                if line.startswith("flags"):
                    return any(flag in line.split() for flag in BF16_CPU_FLAGS)
    except OSError:
        return False
    return False


def resolve_policy(name, devices=None, cpuinfo_path="/proc/cpuinfo"):
    """Keras dtype-policy name for ``name`` in "auto" | "float32" | "float16" | "bfloat16".

    "auto": mixed_float16 on GPUs, mixed_bfloat16 on TPUs and on CPUs with AVX512-BF16/AMX-BF16,
    float32 otherwise. ``devices`` (default: ``tf.config.list_logical_devices()``) lets a caller
    decide for the devices a strategy will use.
    """
    if name in PRECISIONS:
        return PRECISIONS[name]
    if name != "auto":
        raise UserError(f"--mixed_precision={name} is not one of auto, {', '.join(PRECISIONS)}.")
    if devices is None:
        devices = tf.config.list_logical_devices()
    device_types = {d.device_type for d in devices}
    if "TPU" in device_types:
        return "mixed_bfloat16"
    if "GPU" in device_types:
        return "mixed_float16"
    if cpu_has_fast_bfloat16(cpuinfo_path):
        return "mixed_bfloat16"
    return "float32"


def slow_precision_warning(policy, devices=None):
    """A warning line when ``policy`` is known to be slow on ``devices`` (default: the logical devices):
    mixed_float16 without a GPU; None otherwise."""
    if devices is None:
        devices = tf.config.list_logical_devices()
    if policy == "mixed_float16" and not any(d.device_type == "GPU" for d in devices):
        return ("warning: --mixed_precision=float16 without a GPU is known to be slow (CPUs have no fast float16 "
                "kernels: one convolution measured ~500x slower than float32); use float32, or bfloat16 on CPUs "
                "with AVX512-BF16/AMX.")
    return None
