"""evaluate.py as users run it: a run directory or a folder of images against a prepared dataset, JSON lines
out and into the run's metrics.jsonl, one-line errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.metrics import swd
from keras_stylegan.metrics.image_sets import dataset_batches
from keras_stylegan.training.rundir import write_options
from keras_stylegan.training.snapshot import write_snapshot
from pipelines.prepare import prepare
from pipelines.reader import make_dataset
from standin_inception import write_standin_inception

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}
R = 16


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder of 24 images of coloured rectangles, the dataset prepared from it, a run directory holding a
    16 px snapshot and a stand-in Inception graph."""
    root = tmp_path_factory.mktemp("evaluate")
    folder = root / "images"
    folder.mkdir()
    rng = np.random.RandomState(0)
    for i in range(24):
        image = np.full((R, R, 3), rng.randint(0, 256, 3), np.uint8)
        top, left = rng.randint(0, R // 2, 2)
        image[top:top + R // 2, left:left + R // 2] = rng.randint(0, 256, 3)
        Image.fromarray(image).save(folder / f"{i:02d}.png")
    prepare(str(folder), str(root / "data"), R, workers=0, show_progress=False)
    run = root / "00000-tiny"
    run.mkdir()
    write_options(str(run), {"config": {}})
    G = Generator(ArchitectureConfig(resolution=R, latent_size=16, dlatent_size=16, mapping_layers=2,
                                     mapping_fmaps=16, fmap_base=64, fmap_max=16))
    write_snapshot(G, str(run), images_seen=1000, stage=R, alpha=1.0)
    inception = write_standin_inception(root / "classify_image_graph_def.pb")
    return {"folder": str(folder), "data": str(root / "data"), "run": str(run), "inception": inception,
            "stats": str(root / "stats")}


def evaluate(*args):
    return subprocess.run([sys.executable, os.path.join(REPO, "evaluate.py"), *args], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=600)


def test_a_run_directory_is_scored_and_its_metrics_jsonl_grows(files):
    result = evaluate(f"--network={files['run']}", f"--data={files['data']}", "--metrics=swd,ms_ssim,fid",
                      f"--inception={files['inception']}", f"--stats_cache={files['stats']}", "--num_images=16",
                      "--batch_size=8")
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["metric"] for r in records] == ["swd", "ms_ssim", "fid"]
    assert set(records[0]["results"]) == {"swd_16", "swd"}
    assert set(records[1]["results"]) == {"ms_ssim", "ms_ssim_reals"}
    assert all(r["num_images"] == 16 and r["network"] == files["run"] and r["stage"] == R for r in records)
    assert records[2]["results"]["fid"] > 0 and len(os.listdir(files["stats"])) == 1
    with open(os.path.join(files["run"], "metrics.jsonl")) as f:
        assert [json.loads(line) for line in f] == records
    assert "16/" in result.stderr  # the progress bar


def test_a_folder_of_images_is_scored_against_the_dataset_read_in_its_order(files):
    folder = evaluate(f"--images={files['folder']}", f"--data={files['data']}", "--num_images=24")
    assert folder.returncode == 0, folder.stderr[-3000:]
    [record] = [json.loads(line) for line in folder.stdout.splitlines()]
    assert record["images"] == files["folder"] and record["metric"] == "swd" and record["num_images"] == 24
    fakes = np.stack([np.asarray(Image.open(os.path.join(files["folder"], name)))
                      for name in sorted(os.listdir(files["folder"]))])
    reals = next(dataset_batches(make_dataset(files["data"], R, 24, mirror=False, seed=0)))
    assert sorted(map(bytes, reals)) == sorted(map(bytes, fakes))  # the same images, in another order
    expected = swd.swd([reals], [fakes], 24, R, 3, seed=0)
    assert record["results"] == pytest.approx(expected, rel=1e-6)
    assert 0 < expected["swd"]  # the order differs, so the neighbourhoods compared differ


@pytest.mark.slow  # a third tool run for an error message the library tests already check
def test_bad_input_is_one_line(files):
    result = evaluate(f"--images={files['folder']}", f"--data={files['data']}", "--metrics=fid",
                      "--num_images=24")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        "evaluate.py: error: FID needs the Inception graph classify_image_graph_def.pb (got none): download "
        "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz")
