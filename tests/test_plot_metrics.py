"""plot_metrics.py: a run's metrics.jsonl as a curve PNG, and its one-line errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}


def test_the_curve_of_a_run_is_drawn(tmp_path):
    records = [{"metric": "swd", "kimg": kimg, "results": {"swd": value, "swd_16": value / 2}}
               for kimg, value in ((0, 90.0), (8, 60.0), (16, 40.0), (24, 30.0))]
    records.append({"metric": "swd", "network": "x", "results": {"swd": 1.0}})  # evaluate.py's: no kimg, not drawn
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    command = [sys.executable, os.path.join(REPO, "plot_metrics.py"), f"--run={tmp_path}"]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "4 points of swd" in result.stdout
    pixels = np.asarray(Image.open(tmp_path / "swd.png").convert("RGB"))
    assert pixels.shape == (400, 640, 3)
    line = np.all(pixels == (31, 119, 180), axis=-1)
    columns = np.nonzero(line.any(axis=0))[0]
    rows_left, rows_right = np.nonzero(line[:, columns[0]])[0], np.nonzero(line[:, columns[-1]])[0]
    assert rows_left.mean() < rows_right.mean()  # the curve falls from 90 to 30: higher on the left


@pytest.mark.slow  # a second tool run (TensorFlow import) for an error message
def test_a_figure_the_run_never_measured_is_one_line(tmp_path):
    (tmp_path / "metrics.jsonl").write_text(json.dumps({"metric": "swd", "kimg": 0, "results": {"swd": 1.0}}) + "\n")
    command = [sys.executable, os.path.join(REPO, "plot_metrics.py"), f"--run={tmp_path}", "--figure=fid"]
    missing = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1] == (
        f"plot_metrics.py: error: no training-time measurement of 'fid' in {tmp_path}/metrics.jsonl (figures "
        "there: swd).")


def test_several_runs_are_drawn_in_one_plot_a_colour_a_label(tmp_path):
    runs = []
    for name, values in (("a", (90.0, 50.0)), ("b", (80.0, 40.0)), ("c", (70.0, 60.0))):
        run = tmp_path / name
        run.mkdir()
        records = [{"metric": "augment", "kimg": kimg, "results": {"r_t": value / 100}} for kimg, value in
                   zip((0, 8), values)]
        (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        runs.append(str(run))
    output = tmp_path / "r_t.png"
    command = [sys.executable, os.path.join(REPO, "plot_metrics.py"), f"--run={','.join(runs)}", "--figure=r_t",
               "--labels=none,none,ada", f"--output={output}"]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "6 points of r_t from 3 runs" in result.stdout
    pixels = np.asarray(Image.open(output).convert("RGB"))
    blue, orange = np.all(pixels == (31, 119, 180), axis=-1), np.all(pixels == (255, 127, 14), axis=-1)
    assert blue.sum() > 2 * orange.sum() > 0  # two runs labelled "none" share the first colour, "ada" the second
