"""Must-show 2 (safety): a pickle naming any global but dnnlib's Network and numpy's array helpers is refused
before anything runs, with an error naming the global; build_module_src is never run."""

import os
import pickle
import pickletools
import re
import subprocess
import sys

import numpy as np
import pytest

from official_pickle import network_class, raising_source, write_pickle

from keras_stylegan.legacy import OfficialModelError, load_official
from keras_stylegan.legacy.unpickler import OfficialNetwork, read_pickle


def _crafted(global_name, argument):
    """A protocol-0 pickle that calls ``global_name(argument)`` when loaded by plain pickle."""
    module, name = global_name.rsplit(".", 1)
    return f"c{module}\n{name}\n(V{argument}\ntR.".encode()


def _touch_call(global_name, marker):
    """(pickle bytes, what they run) for a global that leaves ``marker`` when called."""
    if global_name == "builtins.eval":
        return _crafted(global_name, f"open({str(marker)!r}, 'w').close()")
    if global_name == "subprocess.call":
        return f"csubprocess\ncall\n((lV/usr/bin/touch\naV{marker}\natR.".encode()
    return _crafted(global_name, f"touch {marker}")


@pytest.mark.parametrize("global_name", ["os.system", "builtins.eval", "subprocess.call", "posix.system"])
def test_a_pickle_naming_another_global_is_refused_before_anything_runs(tmp_path, global_name):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(_touch_call(global_name, marker))
    with pytest.raises(OfficialModelError, match=f"names the global {global_name}[,:; ]"):
        load_official(path)
    assert not marker.exists()


def test_the_crafted_pickle_does_run_code_under_plain_pickle(tmp_path):
    """The refused file is not harmless by accident: plain pickle.load (in a child process) runs it."""
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(_touch_call("os.system", marker))
    subprocess.run([sys.executable, "-c", f"import pickle; pickle.load(open({str(path)!r}, 'rb'))"], check=True)
    assert marker.exists()


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_global_hidden_inside_a_network_state_is_refused(tmp_path):
    marker = tmp_path / "ran"

    def build(official):
        evil = official.network("Gs", "G_style", {"dlatent_avg": np.zeros(4, np.float32)}, {"resolution": _Evil(marker)})
        return (evil, evil, evil)

    path = write_pickle(tmp_path / "evil.pkl", build, tmp_path / "src_ran")
    with pytest.raises(OfficialModelError, match=r"names the global (os|posix)\.system"):
        load_official(path)
    assert not marker.exists()


def test_build_module_src_is_kept_as_text_and_never_run(tmp_path):
    marker = tmp_path / "src_ran"
    path = write_pickle(tmp_path / "net.pkl", lambda official: official.network(
        "D", "D_basic", {"lod": np.float32(0)}, {"resolution": 32}), marker)
    network = read_pickle(path)
    assert isinstance(network, OfficialNetwork)
    assert network.build_module_src == raising_source(marker) and "raise RuntimeError" in network.build_module_src
    assert network.build_func_name == "D_basic" and network.static_kwargs == {"resolution": 32}
    assert not marker.exists()


def _numpy1_paths(data):
    """A pickle written by numpy 2 with numpy 1's module paths (numpy.core.*): text GLOBALs (protocol 2)
    and length-prefixed SHORT_BINUNICODE strings (protocol 4 and 5; their optional FRAME headers, which
    hold lengths, are dropped first)."""
    frames = [pos for op, _, pos in pickletools.genops(data) if op.name == "FRAME"]
    for pos in reversed(frames):
        data = data[:pos] + data[pos + 9:]
    data = data.replace(b"cnumpy._core.", b"cnumpy.core.")
    return re.sub(rb"\x8c(.)(numpy\._core[\w.]*)", lambda m: b"\x8c" + bytes([len(m.group(2)) - 1])
                  + m.group(2).replace(b"numpy._core", b"numpy.core"), data, flags=re.DOTALL)


@pytest.mark.parametrize("protocol,package", [(2, "numpy.core"), (2, "numpy._core"), (4, "numpy.core"), (4, "numpy._core"), (5, "numpy.core"), (5, "numpy._core")])
def test_arrays_of_numpy_1_and_2_module_paths_and_every_protocol_load(tmp_path, protocol, package):
    values = {"weight": np.arange(12, dtype=np.float32).reshape(3, 4), "lod": np.float32(1.5)}
    with network_class() as Network:
        data = pickle.dumps(Network(dict(version=3, name="D", variables=list(values.items()))), protocol=protocol)
    if package == "numpy.core":  # as numpy 1.x writes them
        data = _numpy1_paths(data)
    path = tmp_path / "net.pkl"
    path.write_bytes(data)
    network = read_pickle(path)
    np.testing.assert_array_equal(dict(network.variables)["weight"], values["weight"])
    assert float(dict(network.variables)["lod"]) == 1.5


def test_codecs_encode_with_another_codec_is_refused(tmp_path):
    path = tmp_path / "codec.pkl"
    path.write_bytes(b"c_codecs\nencode\n(Vabc\nVrot13\ntR.")
    with pytest.raises(OfficialModelError, match="codec 'rot13'"):
        read_pickle(path)


def test_damaged_and_missing_files_are_one_line_errors(tmp_path):
    path = write_pickle(tmp_path / "net.pkl", lambda official: official.network(
        "D", "D_basic", {"w": np.zeros(1000, np.float32)}, {}), tmp_path / "ran")
    truncated = tmp_path / "truncated.pkl"
    truncated.write_bytes(open(path, "rb").read()[:500])
    with pytest.raises(OfficialModelError, match="not a readable pickle .*download complete"):
        read_pickle(truncated)
    with pytest.raises(OfficialModelError, match="cannot read .*missing.pkl"):
        read_pickle(tmp_path / "missing.pkl")


def test_a_pickle_damaged_anywhere_in_its_structure_is_an_official_model_error_never_a_traceback(tmp_path, capfd):
    """200 damaged copies of an official pickle (32 px fixture): cut at random points, or one bit flipped in
    one of its opcodes (the structure; a flip inside an array's bytes changes a weight and goes unseen). Each
    reads, or ends in OfficialModelError (one line), whatever Python's unpickler meets (a length asking for
    terabytes, numpy's SystemError on a garbled dtype), and nothing else is printed."""
    import random

    from official_pickle import write_fixture_pickle

    from keras_stylegan.legacy import read_official

    data = open(write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran"), "rb").read()
    opcodes = [position for _, _, position in pickletools.genops(data)]
    rng = random.Random(0)
    outcomes = {"read": 0, "refused": 0}
    for case in range(200):
        damaged = bytearray(data)
        if case % 4 == 0:
            damaged = damaged[:rng.randrange(len(damaged))]
        else:
            damaged[rng.choice(opcodes)] ^= 1 << rng.randrange(8)
        path = tmp_path / "damaged.pkl"
        path.write_bytes(bytes(damaged))
        try:
            read_official(path)
            outcomes["read"] += 1
        except OfficialModelError as error:
            assert "\n" not in str(error) and str(path) in str(error)
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100 and not os.path.exists(tmp_path / "ran"), outcomes
    assert capfd.readouterr().err == ""
