"""figures.py and generate.py as users run them: every picture of the README from a run directory, one
command each (docs/make_figures.sh), and one-line errors."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_stylegan import ArchitectureConfig, Generator, load_generator
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.training.rundir import write_options
from keras_stylegan.training.snapshot import write_snapshot
from noisy import with_noise

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
R = 16
ENV = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHON": sys.executable}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run directory as training leaves it: options.json and a network snapshot (16 px, widths 16)."""
    run = tmp_path_factory.mktemp("runs") / "00000-tiny"
    run.mkdir()
    write_options(str(run), {"config": {}})
    G = Generator(ArchitectureConfig(resolution=R, latent_size=16, dlatent_size=16, mapping_layers=2,
                                     mapping_fmaps=16, fmap_base=64, fmap_max=16))
    write_snapshot(with_noise(G), str(run), images_seen=1000, stage=R, alpha=1.0)
    return str(run)


def tool(*args):
    return subprocess.run([sys.executable, *args], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # seven tool runs (about a minute on 2 idle cores); CI runs one figure command below
def test_make_figures_draws_every_readme_picture_from_a_run_directory(run_dir, tmp_path):
    made = subprocess.run(["bash", os.path.join(REPO, "docs", "make_figures.sh"), run_dir, str(tmp_path)],
                          env=ENV, capture_output=True, text=True, timeout=1200)
    assert made.returncode == 0, made.stderr
    cell = 2 * R  # --scale=2
    expected = {  # (width, height): columns x rows of cells
        "figure03-style-mixing.png": (6 * cell, 7 * cell),  # 5 column seeds + sources, 6 row seeds + sources
        "figure04-stochastic-variation.png": (5 * cell, 2 * cell),  # 4 draws + std, 2 seeds
        "figure05-noise-components.png": (4 * cell, 2 * cell),  # all / none / fine / coarse, 2 seeds
        "figure08-truncation.png": (6 * cell, 2 * cell),  # 6 psis, 2 seeds
        "generate-grid.png": (6 * 65 - 1, 6 * 65 - 1),  # 36 images enlarged to 64 px, 1 px gaps
    }
    assert sorted(os.listdir(tmp_path)) == sorted([*expected, "interpolation-z.gif", "interpolation-w.gif"])
    for name, size in expected.items():
        assert Image.open(tmp_path / name).size == size, name
    for space in "zw":
        with Image.open(tmp_path / f"interpolation-{space}.gif") as gif:
            assert (gif.size, gif.n_frames) == ((4 * R, 4 * R), 5 * 16)  # --scale=4; 5 seeds, 16 steps, looped


def test_a_figure_command_writes_its_picture_and_bad_input_is_one_line_before_writing(run_dir, tmp_path):
    drawn = tool("figures.py", "truncation", f"--network={run_dir}", "--seeds=1,2", "--psis=1,0,-1", "--scale=2",
                 f"--output={tmp_path}/fig8.png")
    assert drawn.returncode == 0, drawn.stderr
    assert Image.open(tmp_path / "fig8.png").size == (3 * 2 * R, 2 * 2 * R) and os.listdir(tmp_path) == ["fig8.png"]
    cases = [
        (["figures.py", "truncation", f"--network={run_dir}", "--rows=1,2", f"--output={tmp_path}/x.png"],
         "figures.py: error: --rows is not an option of 'truncation' (its options: --batch_size, --network,"),
        (["generate.py", f"--network={run_dir}", "--seeds=1-3", "--class=2", f"--outdir={tmp_path}/out"],
         "generate.py: error: --class=2 given, but the network is unconditional (label_size 0): leave --class out."),
    ]
    for args, line in cases:
        ran = tool(*args)
        assert ran.returncode == 2, ran.stderr
        assert ran.stderr.strip().splitlines()[-1].startswith(line), ran.stderr
    assert os.listdir(tmp_path) == ["fig8.png"]


def test_generate_writes_seed_pngs_with_random_noise_drawn_from_each_seed(run_dir, tmp_path):
    ran = tool("generate.py", f"--network={run_dir}", "--seeds=3-5", "--noise_mode=random", "--batch_size=2",
               f"--outdir={tmp_path}")
    assert ran.returncode == 0, ran.stderr
    assert sorted(os.listdir(tmp_path)) == ["seed0003.png", "seed0004.png", "seed0005.png"]
    G = load_generator(run_dir)
    [(_, alone)] = Sampler(G).images_for_seeds([5], G.truncation_psi, random_noise=True)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "seed0005.png")), alone[0])  # alone or batched
