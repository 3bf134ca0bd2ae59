"""resolve_policy: explicit names, and "auto" from device types and CPU flags."""

import collections

import pytest

from keras_stylegan.training.precision import cpu_has_fast_bfloat16, resolve_policy

Device = collections.namedtuple("Device", "name device_type")
CPU = Device("/device:CPU:0", "CPU")
GPU = Device("/device:GPU:0", "GPU")
TPU = Device("/device:TPU:0", "TPU")


def cpuinfo(tmp_path, flags):
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nflags\t\t: fpu sse2 avx2 {flags}\n\nprocessor\t: 1\n")
    return str(path)


@pytest.mark.parametrize("name,policy", [
    ("float32", "float32"), ("float16", "mixed_float16"), ("bfloat16", "mixed_bfloat16")])
def test_explicit_names(name, policy):
    assert resolve_policy(name) == policy


def test_auto_by_device(tmp_path):
    plain = cpuinfo(tmp_path, "avx512f")
    assert resolve_policy("auto", [CPU, GPU], plain) == "mixed_float16"
    assert resolve_policy("auto", [CPU, TPU], plain) == "mixed_bfloat16"
    assert resolve_policy("auto", [CPU], plain) == "float32"


@pytest.mark.parametrize("flags,fast", [
    ("avx512f avx512_bf16", True), ("amx_tile amx_bf16", True), ("avx512f avx512_vnni", False)])
def test_auto_on_cpu_follows_bf16_flags(tmp_path, flags, fast):
    path = cpuinfo(tmp_path, flags)
    assert cpu_has_fast_bfloat16(path) is fast
    assert resolve_policy("auto", [CPU], path) == ("mixed_bfloat16" if fast else "float32")


def test_missing_cpuinfo_means_float32(tmp_path):
    assert resolve_policy("auto", [CPU], str(tmp_path / "absent")) == "float32"


def test_unknown_name():
    with pytest.raises(ValueError, match="--mixed_precision=half is not one of auto, float32"):
        resolve_policy("half")


def test_float16_without_a_gpu_is_warned_about():
    from keras_stylegan.training.precision import slow_precision_warning

    assert "known to be slow" in slow_precision_warning("mixed_float16", [CPU])
    assert slow_precision_warning("mixed_float16", [CPU, GPU]) is None
    assert slow_precision_warning("float32", [CPU]) is None
    assert slow_precision_warning("mixed_bfloat16", [CPU]) is None
