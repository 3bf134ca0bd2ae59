"""train.py end to end on the smoke config: the run directory, resume after SIGKILL, clear errors."""

import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from official_pickle import load_fixture, write_fixture_pickle
from train_runs import REPO, checkpoint_weights, run_train, train_command


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, cache_dir):
    outdir = str(tmp_path_factory.mktemp("runs"))
    result = run_train(outdir, cache_dir, "--metrics=swd", "--metrics_images=16", "--metrics_kimg=0.064")
    assert result.returncode == 0, result.stderr[-3000:]
    return os.path.join(outdir, "00000-smoke"), result


def event_tags(directory):
    tags = set()
    for path in glob.glob(os.path.join(directory, "events.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_smoke_run_leaves_a_complete_run_directory(smoke_run):
    run_dir, result = smoke_run
    options = json.load(open(os.path.join(run_dir, "options.json")))
    assert options["flags"]["fmap_max"] == 16 and options["flags"]["minibatch_dict"] == ""
    assert options["config"]["schedule"]["total_kimg"] == 0.128
    assert len(options["manifest_sha256"]) == 64
    log = open(os.path.join(run_dir, "log.txt")).read()
    assert "Starting run" in log and "Done: 0.128 kimg" in log
    ticks = [line for line in log.splitlines() if " tick " in line]
    assert len(ticks) >= 8 and all("d_loss" in line and "img/s" in line for line in ticks)
    assert "resolution 8" in log and "alpha 0.500" in log  # grew through the fade-in
    assert "tick 1" in result.stdout  # everything logged is also printed
    assert os.path.isfile(os.path.join(run_dir, "checkpoints", "ckpt-128.index"))
    assert len(glob.glob(os.path.join(run_dir, "checkpoints", "ckpt-*.index"))) == 3  # keep the last 3
    for name in ("reals.png", "fakes-000000.000.png", "fakes-000000.128.png", "fakes-000000.128-trunc.png"):
        assert os.path.isfile(os.path.join(run_dir, name)), name
    assert {"loss/d_loss", "loss/g_loss", "loss/r1_penalty", "progress/alpha", "progress/resolution",
            "progress/g_lrate", "progress/minibatch", "progress/img_per_sec", "progress/sec_per_kimg",
            "reals", "fakes", "fakes_trunc"} <= event_tags(os.path.join(run_dir, "tensorboard"))


def test_smoke_run_measures_its_metrics_at_the_start_every_metrics_kimg_and_the_end(smoke_run):
    run_dir, _ = smoke_run
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    ticks = [r for r in records if r["metric"] == "augment"]  # D's r_t of every tick, with or without augmentation
    assert len(ticks) == open(os.path.join(run_dir, "log.txt")).read().count(" tick ")
    assert all(set(r["results"]) == {"r_t"} and -1 <= r["results"]["r_t"] <= 1 for r in ticks)
    records = [r for r in records if r["metric"] != "augment"]
    assert [(r["metric"], r["kimg"], r["resolution"], r["num_images"]) for r in records] == [
        ("swd", 0.0, 4, 16), ("swd", 0.064, 8, 16), ("swd", 0.128, 8, 16)]
    assert all(set(r["results"]) == {"swd_8", "swd"} and r["results"]["swd"] > 0 for r in records)
    assert {"metrics/swd", "metrics/swd_8", "augment/r_t"} <= event_tags(os.path.join(run_dir, "tensorboard"))
    assert open(os.path.join(run_dir, "log.txt")).read().count("metric swd at") == 3


def test_resume_with_a_different_architecture_is_a_one_line_error_before_training(smoke_run, cache_dir):
    run_dir, _ = smoke_run
    log_before = open(os.path.join(run_dir, "log.txt")).read()
    result = run_train(os.path.dirname(run_dir), cache_dir, f"--resume={run_dir}", "--fmap_max=32")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("train.py: error: cannot resume") and "fmap_max 16 -> 32" in message
    assert open(os.path.join(run_dir, "log.txt")).read() == log_before


def test_a_label_size_the_dataset_does_not_have_is_a_one_line_error_before_training(tmp_path, cache_dir):
    result = run_train(str(tmp_path), cache_dir, "--label_size=2")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "train.py: error: --label_size=2 but the dataset has no labels; drop --label_size (it comes from the "
        "dataset) or prepare the data with --labels.")
    assert os.listdir(tmp_path) == []


def test_rerunning_a_finished_run_trains_nothing_more(smoke_run, cache_dir):
    run_dir, _ = smoke_run
    result = run_train(os.path.dirname(run_dir), cache_dir)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Resuming run" in result.stdout and " tick " not in result.stdout
    assert "Done: 0.128 kimg" in result.stdout


def test_sigkill_in_a_fade_in_then_rerun_matches_an_uninterrupted_run(tmp_path, cache_dir):
    """Deterministic ops: a run killed mid fade-in and rerun ends bit-identical to an uninterrupted one. ADA is on
    (its target lowered to 0 so that p moves in these few steps): p and the running sums of its r_t are part of
    what must come back."""
    longer_fade = ("--lod_transition_kimg=0.064", "--total_kimg=0.16", "--deterministic", "--augment=ada",
                   "--ada_kimg=0.2", "--ada_target=0")
    straight = run_train(str(tmp_path / "a"), cache_dir, *longer_fade)
    assert straight.returncode == 0, straight.stderr[-3000:]

    outdir = str(tmp_path / "b")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.Popen(train_command(outdir, cache_dir, *longer_fade), cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log_path = os.path.join(outdir, "00000-smoke", "log.txt")
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if os.path.exists(log_path) and "ckpt-48" in open(log_path).read():  # 16 images into the fade-in
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_log = open(log_path).read()
    assert "Done" not in killed_log

    resumed = run_train(outdir, cache_dir, *longer_fade)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    line = next(line for line in resumed.stdout.splitlines() if line.startswith("Resuming run"))
    alpha = float(line.split("alpha ")[1].split(",")[0])
    assert "resolution 8" in line and 0.0 < alpha < 1.0, line  # resumed inside the fade-in
    first_lines = resumed.stdout.split("tick", 1)[0]
    assert "optimizer state reset" not in first_lines  # Adam moments continue from the checkpoint

    a = checkpoint_weights(str(tmp_path / "a" / "00000-smoke" / "checkpoints" / "ckpt-160"))
    b = checkpoint_weights(os.path.join(outdir, "00000-smoke", "checkpoints", "ckpt-160"))
    assert a.keys() == b.keys() and len(a) > 50
    different = [name for name in a if not np.array_equal(a[name], b[name])]
    assert different == []
    assert a["augment/p/.ATTRIBUTES/VARIABLE_VALUE"] > 0  # p moved after the kill
    assert {"augment/sign_sum/.ATTRIBUTES/VARIABLE_VALUE", "augment/sign_count/.ATTRIBUTES/VARIABLE_VALUE"} < a.keys()


@pytest.mark.slow
def test_quickstart_trains_through_every_stage_without_nan(tmp_path, cache_dir):
    """The CPU quickstart end to end (about 12 minutes on 2 cores)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    command = [sys.executable, os.path.join(REPO, "train.py"), f"--flagfile={REPO}/configs/quickstart.flags",
               f"--outdir={tmp_path}", f"--cache_dir={cache_dir}"]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = os.path.join(str(tmp_path), "00000-quickstart")
    log = open(os.path.join(run_dir, "log.txt")).read()
    assert "Done: 48.000 kimg" in log and "nan" not in log.lower()
    for resolution in (8, 16, 32):
        assert f"resolution {resolution} " in log
    assert os.path.isfile(os.path.join(run_dir, "fakes-000048.000.png"))
    assert os.path.isfile(os.path.join(run_dir, "checkpoints", "ckpt-48000.index"))


def _fine_tune_command(outdir, cache_dir, official, *extra):
    """train.py with --init_from and no architecture flag: one step of 4 images at the pickle's 32 px."""
    return [sys.executable, os.path.join(REPO, "train.py"), f"--init_from={official}", "--data=builtin:twemoji",
            f"--outdir={outdir}", f"--cache_dir={cache_dir}", "--config_name=ft", "--total_kimg=0.004",
            "--minibatch_base=4", "--minibatch_dict=", "--mixed_precision=float32", "--strategy=default",
            "--tick_kimg=0.004", "--snapshot_kimg=0.004", "--image_snapshot_kimg=0.004", "--grid_size=4", *extra]


def test_init_from_takes_the_architecture_and_start_resolution_from_the_pickle(tmp_path, cache_dir):
    official = write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(_fine_tune_command(tmp_path / "runs", cache_dir, official), cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = tmp_path / "runs" / "00000-ft"
    config = json.load(open(run_dir / "options.json"))["config"]
    assert {key: config["architecture"][key] for key in ("resolution", "fmap_base", "fmap_max", "latent_size")} == {
        "resolution": 32, "fmap_base": 256, "fmap_max": 64, "latent_size": 64}
    assert config["schedule"]["start_resolution"] == 32 and config["init_from"] == official
    log = open(run_dir / "log.txt").read()
    assert "resolution 32" in log and f"G, D and Gs from the official {official}" in log and "Done: 0.004 kimg" in log
    start = checkpoint_weights(str(run_dir / "checkpoints" / "ckpt-0"))
    const = start["ema_generator/synthesis.Sb4.Sconst.Sconst.Sconst/.ATTRIBUTES/VARIABLE_VALUE"]  # Gs's b4 constant
    g_vars, _, _ = load_fixture("r32")
    np.testing.assert_array_equal(const, np.transpose(g_vars["G_synthesis/4x4/Const/const"], (0, 2, 3, 1)))


def test_init_from_with_a_conflicting_architecture_flag_is_a_one_line_error(tmp_path, cache_dir):
    official = write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(_fine_tune_command(tmp_path / "runs", cache_dir, official, "--fmap_max=32"), cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"train.py: error: --init_from={official}: --fmap_max=32 but the official model has 64 (drop those flags: "
        "the architecture comes from the pickle).")
    assert not os.path.exists(tmp_path / "runs")


def test_dict_flags_parse_and_reject_bad_input_with_one_line():
    sys.path.insert(0, REPO)
    import train

    assert train.parse_resolution_dict("4:64, 8:32,16:16", int) == {4: 64, 8: 32, 16: 16}
    assert train.parse_resolution_dict("", float) == {}
    assert train.format_resolution_dict({128: 0.0015, 8: 0.002}) == "8:0.002,128:0.0015"
    with pytest.raises(ValueError, match=r"--minibatch_dict: bad entry '4=64'; expected RESOLUTION:INT pairs"):
        train.parse_resolution_dict("4=64", int, "minibatch_dict")
    with pytest.raises(ValueError, match="bad entry '8:x'"):
        train.parse_resolution_dict("8:x", int, "minibatch_dict")
    with pytest.raises(ValueError, match="resolution 12 is not a power of two"):
        train.parse_resolution_dict("12:4", int, "minibatch_dict")


def test_every_flag_has_help_text():
    sys.path.insert(0, REPO)
    import train

    for name in train.SAVED_FLAGS + ["cache_dir"]:
        assert len(train.FLAGS[name].help) > 20, name
