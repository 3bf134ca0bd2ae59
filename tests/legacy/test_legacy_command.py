"""``python -m keras_stylegan.legacy``: an official pickle to our .keras files (must-show 3: the imported
generator round-trips through .keras), and its one-line errors."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from official_pickle import load_fixture, write_fixture_pickle

from keras_stylegan import Discriminator, Generator
from keras_stylegan.legacy import load_official
from keras_stylegan.legacy.__main__ import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    directory = tmp_path_factory.mktemp("official")
    return write_fixture_pickle(directory / "karras2019stylegan-r32.pkl", "r32", directory / "ran")


def test_writes_gs_g_and_d_that_load_and_reproduce_nvidias_images(official, tmp_path, capsys):
    output = str(tmp_path / "out" / "r32.keras")
    assert main([f"--source={official}", f"--output={output}"]) == 0
    printed = capsys.readouterr().out
    assert "truncation_psi 0.7, truncation_cutoff 8, stage 32, alpha 1.0" in printed
    assert sorted(os.listdir(tmp_path / "out")) == ["r32-D.keras", "r32-G.keras", "r32.keras"]
    Gs = keras.saving.load_model(output)
    G = keras.saving.load_model(str(tmp_path / "out" / "r32-G.keras"))
    D = keras.saving.load_model(str(tmp_path / "out" / "r32-D.keras"))
    assert isinstance(Gs, Generator) and isinstance(G, Generator) and isinstance(D, Discriminator)
    assert (Gs.truncation_psi, Gs.truncation_cutoff) == (0.7, 8)
    _, _, ref = load_fixture("r32")
    _, _, imported = load_official(official)
    images = np.asarray(Gs(ref["z"], noise_mode="const"))
    np.testing.assert_array_equal(images, np.asarray(imported(ref["z"], noise_mode="const")))
    np.testing.assert_allclose(np.transpose(images, (0, 3, 1, 2)), ref["images"], atol=1e-4)
    np.testing.assert_allclose(np.asarray(D(np.transpose(ref["images"], (0, 2, 3, 1)))), ref["scores"], atol=1e-4)


def test_gs_alone_and_existing_outputs_kept_without_overwrite(official, tmp_path, capsys):
    output = str(tmp_path / "gs.keras")
    assert main([f"--source={official}", f"--output={output}", "--networks=Gs"]) == 0
    assert os.listdir(tmp_path) == ["gs.keras"]
    before = os.path.getmtime(output)
    with pytest.raises(SystemExit) as exit_info:
        main([f"--source={official}", f"--output={output}", "--networks=Gs"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error == f"keras_stylegan.legacy: error: --output={output} exists; give --overwrite to replace it, or choose another --output."
    assert os.path.getmtime(output) == before
    assert main([f"--source={official}", f"--output={output}", "--networks=Gs", "--overwrite"]) == 0
    assert os.listdir(tmp_path) == ["gs.keras"]


def test_a_refused_pickle_is_one_line_exit_2_and_writes_nothing(tmp_path):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(f"cos\nsystem\n(Vtouch {marker}\ntR.".encode())
    result = subprocess.run([sys.executable, "-m", "keras_stylegan.legacy", f"--source={evil}",
                             f"--output={tmp_path / 'x.keras'}"], cwd=REPO, capture_output=True, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"keras_stylegan.legacy: error: refused to load {evil}: it names the global os.system")
    assert sorted(os.listdir(tmp_path)) == ["evil.pkl"]
