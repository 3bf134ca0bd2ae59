"""Run directories: numbering, resume resolution and options.json."""

import os

import pytest

from keras_stylegan.training.rundir import (list_runs, next_run_dir, read_options, resolve_run_dir,
                                            write_options)


def test_numbering_continues_after_the_highest_run_of_any_config(tmp_path):
    outdir = str(tmp_path)
    first = next_run_dir(outdir, "smoke")
    os.makedirs(os.path.join(outdir, "00007-ffhq"))
    os.makedirs(os.path.join(outdir, "not-a-run"))
    assert os.path.basename(first) == "00000-smoke"
    assert os.path.basename(next_run_dir(outdir, "smoke")) == "00008-smoke"
    assert [os.path.basename(p) for p in list_runs(outdir, "smoke")] == ["00000-smoke", "00008-smoke"]


def test_resume_auto_picks_the_latest_run_of_the_config_with_options(tmp_path):
    outdir = str(tmp_path)
    assert resolve_run_dir(outdir, "smoke", "auto") == (os.path.join(outdir, "00000-smoke"), False)
    a = next_run_dir(outdir, "smoke")
    write_options(a, {"x": 1})
    next_run_dir(outdir, "smoke")  # created but never got options (crashed before start): not resumed
    b = next_run_dir(outdir, "other")
    write_options(b, {"x": 2})
    assert resolve_run_dir(outdir, "smoke", "auto") == (a, True)
    assert resolve_run_dir(outdir, "smoke", "none") == (os.path.join(outdir, "00003-smoke"), False)
    assert resolve_run_dir(outdir, "x", b) == (b, True)
    assert read_options(a) == {"x": 1}


def test_resume_from_a_directory_that_is_not_a_run_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a run directory"):
        resolve_run_dir(str(tmp_path), "smoke", str(tmp_path))
