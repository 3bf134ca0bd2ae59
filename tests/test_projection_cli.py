"""project.py, edit.py and blend.py through their command lines: a projection's files, its latent drawn by
generate.py and read by edit.py, a blend loaded by generate.py. Their bad input (one line, nothing written) is in
tests/test_bad_input.py's tables with every other tool's."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import keras_stylegan as ks
from noisy import with_noise
from train_runs import tool_env

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACES = os.path.join(REPO, "tests", "fixtures", "quickstart-faces", "quickstart-faces-32px.keras")


def tool(*args):
    """Run a tool as a user does (its own quiet TensorFlow start-up); the CompletedProcess."""
    return subprocess.run([sys.executable, *args], cwd=REPO, env=tool_env(quiet_default=True), capture_output=True,
                          text=True, timeout=600)


def _files(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    """A folder of two images: a 48x40 face emoji (not square) and a 32x32 one."""
    folder = tmp_path_factory.mktemp("targets")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(folder / "wide.png")
    Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / "square.jpg")
    return folder


def test_project_then_draw_edit_and_mix_the_latent(targets, tmp_path):
    out = tmp_path / "out"
    done = tool("project.py", f"--network={FACES}", f"--target={targets}", f"--outdir={out}", "--steps=4",
                "--space=w_plus", "--video=gif", "--video_every=2")
    assert done.returncode == 0, done.stderr
    names = ["square", "wide"]
    assert _files(out) == sorted([f"{n}{suffix}" for n in names for suffix in
                                  (".npz", "-target.png", "-projection.png", "-compare.png", ".gif")] + ["results.json"])
    assert Image.open(out / "wide-target.png").size == (32, 32)  # centre-cropped and resized
    assert Image.open(out / "wide-compare.png").size == (64, 32)
    assert Image.open(out / "wide.gif").n_frames == 3  # steps 0, 2 and the last
    results = json.loads((out / "results.json").read_text())
    assert [r["name"] for r in results["images"]] == names and results["space"] == "w_plus"
    assert set(results["summary"]) == {"psnr", "ms_ssim", "loss"}
    done = tool("generate.py", f"--network={FACES}", f"--latents={out}", f"--outdir={tmp_path}/drawn")
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path / "drawn") == ["square.png", "wide.png"]
    for name in names:  # the latent with its noise images, drawn as project.py drew the projection
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "drawn" / f"{name}.png")),
                                      np.asarray(Image.open(out / f"{name}-projection.png")))
    labels = tmp_path / "labels.txt"
    labels.write_text("1,0\n2,0\n3,0\n4,1\n5,1\nout/wide.npz,1\n")
    done = tool("edit.py", "direction", f"--network={FACES}", f"--labels={labels}", f"--output={tmp_path}/d.npz")
    assert done.returncode == 0, done.stderr
    done = tool("edit.py", "strip", f"--network={FACES}", f"--latent={out}/wide.npz", f"--direction={tmp_path}/d.npz",
                "--strengths=-1,0,1", f"--output={tmp_path}/strip.png")
    assert done.returncode == 0, done.stderr
    strip = np.asarray(Image.open(tmp_path / "strip.png"))
    np.testing.assert_array_equal(strip[:, 32:64], np.asarray(Image.open(out / "wide-projection.png")))  # strength 0
    done = tool("edit.py", "mix", f"--network={FACES}", f"--latent={out}/wide.npz", "--seeds=1,2",
                f"--output={tmp_path}/mix.png")
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "mix.png").size == (3 * 32, 3 * 32)  # coarse and middle rows under the seeds' row


@pytest.fixture(scope="module")
def networks(tmp_path_factory):
    """Two 16 px networks of one architecture, and b8: a third as a snapshot taken at the 8 px stage."""
    folder = tmp_path_factory.mktemp("networks")
    config = ks.ArchitectureConfig(resolution=16, latent_size=8, dlatent_size=8, mapping_layers=1, mapping_fmaps=8,
                                   fmap_base=32, fmap_max=8)
    for name, stage in (("a", None), ("b", None), ("b8", 8)):
        with_noise(ks.Generator(config, stage=stage)).save(folder / f"{name}.keras")
    return folder


@pytest.mark.slow  # the blend's loading is in CI through tests/networks/test_blending.py
def test_a_blend_is_loaded_by_generate(networks, tmp_path):
    done = tool("blend.py", f"--coarse={networks}/a.keras", f"--fine={networks}/b.keras", "--resolution=8",
                f"--output={tmp_path}/blend.keras", f"--preview={tmp_path}/blend.png", "--seeds=0-2")
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "blend.png").size == (3 * 16, 3 * 16)
    done = tool("generate.py", f"--network={tmp_path}/blend.keras", "--seeds=0-1", f"--outdir={tmp_path}/gen")
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path / "gen") == ["seed0000.png", "seed0001.png"]


def test_a_preview_of_a_mid_training_fine_network_draws_every_row_at_one_size(networks, tmp_path):
    """The fine network is a snapshot of the 8 px stage, so it and the blend draw 8 px images, the coarse one 16 px:
    the preview enlarges the smaller rows to 16 px (each pixel a 2x2 square) instead of failing after the blend
    was written."""
    done = tool("blend.py", f"--coarse={networks}/a.keras", f"--fine={networks}/b8.keras", "--resolution=8",
                f"--output={tmp_path}/blend.keras", f"--preview={tmp_path}/blend.png", "--seeds=0-2")
    assert done.returncode == 0, done.stderr
    assert "Blocks 4 px from" in done.stdout and "8 px from" in done.stdout
    preview = np.asarray(Image.open(tmp_path / "blend.png"))
    assert preview.shape == (3 * 16, 3 * 16, 3)
    for row in (1, 2):  # fine and blend: 8 px images enlarged twice
        cells = preview[row * 16:(row + 1) * 16]
        np.testing.assert_array_equal(cells, cells[::2, ::2].repeat(2, axis=0).repeat(2, axis=1))
    coarse = preview[:16]
    assert not np.array_equal(coarse, coarse[::2, ::2].repeat(2, axis=0).repeat(2, axis=1))  # drawn at 16 px
    assert ks.load_generator(str(tmp_path / "blend.keras")).stage == 8


def test_a_direction_between_two_classes_of_a_conditional_network(tmp_path):
    """edit.py direction --classes=A,B fits the normal between the ws of class A and class B, pointing to B: the
    mean w of B (of other zs, drawn here) lies further along it than A's. Classes the network lacks are one line."""
    config = ks.ArchitectureConfig(resolution=8, latent_size=8, dlatent_size=8, mapping_layers=2, mapping_fmaps=8,
                                   fmap_base=32, fmap_max=8, label_size=3)
    generator = with_noise(ks.Generator(config))
    generator.save(tmp_path / "cond.keras")
    done = tool("edit.py", "direction", f"--network={tmp_path}/cond.keras", "--classes=0,2", "--num_samples=100",
                f"--output={tmp_path}/d.npz")
    assert done.returncode == 0, done.stderr
    stored = np.load(tmp_path / "d.npz")
    assert str(stored["source"]) == "classes 0 -> 2" and int(stored["count_0"]) == int(stored["count_1"]) == 100
    z = np.random.default_rng(7).standard_normal([500, 8]).astype(np.float32)
    mean_w = [generator.mapping(z, np.eye(3, dtype=np.float32)[[c] * 500]).numpy().mean(axis=0) for c in (0, 2)]
    assert float(np.dot(mean_w[1] - mean_w[0], stored["direction"])) > 0
    done = tool("edit.py", "direction", f"--network={tmp_path}/cond.keras", "--classes=0,3",
                f"--output={tmp_path}/e.npz")
    assert done.returncode == 2 and not os.path.exists(tmp_path / "e.npz")
    assert done.stderr.strip().splitlines() == [
        "edit.py: error: --classes=0,3: the network has 3 classes; give two of 0 to 2."]
