"""Fault injection on real train.py runs: damaged checkpoints, two trainings on one run directory, and a
randomized kill -9 soak. Each damaged run resumes from the newest checkpoint that reads, with nothing lost:
the grids, reals.png and the older checkpoints are untouched, and with --deterministic the final checkpoint
is bit-identical to an uninterrupted run's."""

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import time

import numpy as np
import pytest
from checkpoint_faults import CORRUPTIONS, NEWEST_DAMAGED
from train_runs import checkpoint_weights, run_train, start_train

SHORT = ("--total_kimg=0.048", "--deterministic")  # checkpoints at 0, 16, 32 and 48 images; the last 3 kept
SOAK = ("--total_kimg=0.064", "--deterministic")  # 4 px, then the whole fade-in of 8 px; a checkpoint every 16
# ADA with p moving in these 8 steps (a target of -0.9 instead of 0.6: D of the first steps is negative on nearly
# every real; p can move by 1 in 100 images): p and the sums of its r_t must come back too
ADA = ("--augment=ada", "--ada_kimg=0.1", "--ada_target=-0.9")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, cache_dir):
    """A finished deterministic run of 48 images: its directory and the files in it (bytes)."""
    outdir = tmp_path_factory.mktemp("finished")
    result = run_train(outdir, cache_dir, *SHORT)
    assert result.returncode == 0, result.stderr[-3000:]
    return outdir / "00000-smoke"


def _files(run_dir, names):
    return {name: (run_dir / name).read_bytes() for name in names}


KEPT = ("reals.png", "fakes-000000.000.png", "fakes-000000.000-trunc.png",
        "checkpoints/ckpt-16.index", "checkpoints/ckpt-16.data-00000-of-00001",
        "checkpoints/ckpt-32.index", "checkpoints/ckpt-32.data-00000-of-00001")


def _resume_damaged(finished_run, cache_dir, tmp_path, corruption):
    """Copy the finished run, damage its checkpoints, rerun the same command; checks and returns stdout."""
    run_dir = tmp_path / "00000-smoke"
    shutil.copytree(finished_run, run_dir)
    before = _files(run_dir, KEPT)
    CORRUPTIONS[corruption](str(run_dir / "checkpoints"))
    result = run_train(tmp_path, cache_dir, *SHORT)
    assert result.returncode == 0, result.stderr[-3000:]
    resumed_from = 32 if corruption in NEWEST_DAMAGED else 48
    assert f"Resuming run {run_dir}: {resumed_from / 1000:.3f}/0.048 kimg" in result.stdout
    assert f"from {run_dir}/checkpoints/ckpt-{resumed_from}" in result.stdout
    assert "Starting run" not in result.stdout
    assert _files(run_dir, KEPT) == before  # nothing overwritten
    if corruption in NEWEST_DAMAGED:
        assert f"checkpoint {run_dir}/checkpoints/ckpt-48 does not read (" in result.stdout
        assert os.listdir(run_dir / "checkpoints" / "damaged")  # the evidence is kept
    final = checkpoint_weights(run_dir / "checkpoints" / "ckpt-48")
    reference = checkpoint_weights(finished_run / "checkpoints" / "ckpt-48")
    assert final.keys() == reference.keys()
    assert [name for name in final if not np.array_equal(final[name], reference[name])] == []
    return result.stdout


@pytest.mark.parametrize("corruption", [
    pytest.param(c, marks=() if c == "newest data truncated" else pytest.mark.slow) for c in CORRUPTIONS])
def test_a_damaged_checkpoint_resumes_from_the_newest_good_one_with_nothing_lost(finished_run, cache_dir, tmp_path,
                                                                                 corruption):
    _resume_damaged(finished_run, cache_dir, tmp_path, corruption)


@pytest.mark.slow
def test_a_save_killed_midway_leaves_a_temp_directory_that_the_rerun_removes(finished_run, cache_dir, tmp_path):
    run_dir = tmp_path / "00000-smoke"
    temp = run_dir / "checkpoints" / "ckpt-64_temp"
    os.makedirs(temp.parent.parent)
    shutil.copytree(finished_run, run_dir, dirs_exist_ok=True)
    os.makedirs(temp)
    (temp / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"half a save")
    result = run_train(tmp_path, cache_dir, *SHORT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"removed {temp}: an interrupted checkpoint save" in result.stdout
    assert not temp.exists()


def _wait_for(path, text, process, seconds=600):
    deadline = time.time() + seconds
    while time.time() < deadline and process.poll() is None:
        if os.path.exists(path) and text in open(path).read():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_a_second_training_on_the_run_refuses_and_takes_over_after_kill_9(tmp_path, cache_dir):
    first = start_train(tmp_path, cache_dir, "--total_kimg=10")
    run_dir = tmp_path / "00000-smoke"
    try:
        assert _wait_for(run_dir / "log.txt", " tick 1 ", first), "the first training did not start"
        second = run_train(tmp_path, cache_dir, "--total_kimg=10", quiet_default=True)
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"train.py: error: {run_dir} is in use by another training (pid {first.pid} on host "
            f"{socket.gethostname()}, started {(run_dir / 'lock').read_text().split('started ')[1].strip()}); wait for "
            "it to finish, stop it, or start a new run with --resume=none."]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The killed training got as far as its newest checkpoint (on a fast CPU well past a fixed target): the
    # rerun resumes from there and trains 64 images more.
    seen = max(int(path.name[len("ckpt-"):-len(".index")]) for path in (run_dir / "checkpoints").glob("ckpt-*.index"))
    total_kimg = (seen + 64) / 1000
    third = run_train(tmp_path, cache_dir, f"--total_kimg={total_kimg}")
    assert third.returncode == 0, third.stderr[-3000:]
    assert f"took over the lock of a training that ended without releasing it (pid {first.pid} on host" in third.stdout
    assert f"Resuming run {run_dir}: {seen / 1000:.3f}/{total_kimg:.3f} kimg" in third.stdout, third.stdout
    assert f"Done: {total_kimg:.3f} kimg" in third.stdout, third.stdout


def _log_seconds(log_path):
    """Seconds from the first to the last line of a run's log.txt (lines start with a time stamp)."""
    lines = open(log_path).read().splitlines()
    stamp = lambda line: time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S"))  # noqa: E731
    return stamp(lines[-1]) - stamp(lines[0])


def _holds_lock(run_dir, pid):
    lock = run_dir / "lock"
    return lock.exists() and lock.read_text().startswith(f"pid {pid} ")


@pytest.mark.slow
@pytest.mark.parametrize("augment", [(), ADA], ids=["none", "ada"])
def test_randomized_kill_9_soak_ends_bit_identical_to_an_uninterrupted_run(tmp_path, cache_dir, augment):
    """KERAS_STYLEGAN_SOAK_KILLS (default 10) kills at random moments of a deterministic 64-image run, each
    followed by a rerun of the same command: one kill in five at a random moment of the start-up, the others
    at a random moment once the run directory is locked (training, checkpoint and snapshot writes). The run
    then finishes with a final checkpoint bit-identical to an uninterrupted run's (with ADA: p and the sums of
    r_t too). The counts are printed."""
    kills = int(os.environ.get("KERAS_STYLEGAN_SOAK_KILLS", "10"))
    soak = SOAK + augment
    reference = run_train(tmp_path / "reference", cache_dir, *soak, timeout=3600)
    assert reference.returncode == 0, reference.stderr[-3000:]
    training = max(1.0, _log_seconds(tmp_path / "reference" / "00000-smoke" / "log.txt"))
    rng = random.Random(int(os.environ.get("KERAS_STYLEGAN_SOAK_SEED", "0")))
    outdir, run_dir = tmp_path / "soak", tmp_path / "soak" / "00000-smoke"
    moments = {"start-up (before the lock)": 0, "training": 0, "writing a checkpoint or snapshot": 0}
    done = 0
    while done < kills:
        process = start_train(outdir, cache_dir, *soak)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 10.0))
        else:
            while process.poll() is None and not _holds_lock(run_dir, process.pid):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 2.0 * training / kills))
        if process.poll() is not None:
            break  # the run finished before this kill
        saving = any(name.endswith("_temp") for name in _listing(run_dir / "checkpoints")) or any(
            name.startswith(".partial-") for name in _listing(run_dir))
        locked = _holds_lock(run_dir, process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()
        done += 1
        moments["writing a checkpoint or snapshot" if saving else "training" if locked
                else "start-up (before the lock)"] += 1
    final = run_train(outdir, cache_dir, *soak, timeout=3600)
    assert final.returncode == 0, final.stderr[-3000:]
    damaged = len(_listing(run_dir / "checkpoints" / "damaged"))
    print(f"soak: {done} kills {moments}; files of damaged checkpoints set aside: {damaged}; log lines: "
          f"{open(run_dir / 'log.txt').read().count('Resuming run')} resumes")
    assert done == kills, f"only {done} kills landed before the run finished"
    a = checkpoint_weights(tmp_path / "reference" / "00000-smoke" / "checkpoints" / "ckpt-64")
    b = checkpoint_weights(run_dir / "checkpoints" / "ckpt-64")
    assert a.keys() == b.keys() and len(a) > 50
    assert [name for name in a if not np.array_equal(a[name], b[name])] == []
    if augment:
        print(f"soak: p {a['augment/p/.ATTRIBUTES/VARIABLE_VALUE']} at the end")
        assert a["augment/p/.ATTRIBUTES/VARIABLE_VALUE"] > 0


def _listing(path):
    return os.listdir(path) if os.path.isdir(path) else []


def _sums(run_dir):
    """sha256 of every file of a run directory, by relative path."""
    found = {}
    for root, _, files in os.walk(run_dir):
        for name in files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, run_dir)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return found


def _without_checkpoints(finished_run, tmp_path, set_aside):
    """A copy of the finished run whose ckpt-* files are deleted, or moved to checkpoints/damaged/."""
    run_dir = tmp_path / "00000-smoke"
    shutil.copytree(finished_run, run_dir)
    checkpoints = run_dir / "checkpoints"
    if set_aside:
        os.makedirs(checkpoints / "damaged")
    for path in checkpoints.glob("ckpt-*"):
        if set_aside:
            os.replace(path, checkpoints / "damaged" / path.name)
        else:
            os.remove(path)
    return run_dir


@pytest.mark.parametrize("set_aside", [pytest.param(False, id="ckpt files deleted"),
                                       pytest.param(True, id="ckpt files in damaged/", marks=pytest.mark.slow)])
def test_a_run_with_training_output_but_no_checkpoint_is_refused_never_restarted_from_0(finished_run, cache_dir,
                                                                                        tmp_path, set_aside):
    run_dir = _without_checkpoints(finished_run, tmp_path, set_aside)
    before = _sums(run_dir)
    refused = run_train(tmp_path, cache_dir, *SHORT, quiet_default=True)
    assert refused.returncode == 2
    damaged = ", 6 file(s) of damaged checkpoints in checkpoints/damaged/" if set_aside else ""
    assert refused.stderr.strip().splitlines() == [
        f"train.py: error: cannot resume {run_dir}: it holds training output (4 network snapshot(s), the newest "
        f"network-snapshot-000000.048.keras, 2 fakes grid(s) past 0 kimg{damaged}) but no checkpoint to continue "
        "from, and a network snapshot holds Gs alone, not the G, D and optimizer state training needs; it is not "
        "restarted from 0 over that output: restore its checkpoints/ from a backup, or start a new run with "
        "--resume=none."]
    assert refused.stdout == ""
    assert _sums(run_dir) == before  # not a byte of the run changed, options.json and log.txt included
    assert sorted(os.listdir(tmp_path)) == ["00000-smoke"]


@pytest.mark.slow
def test_after_the_refusal_resume_none_starts_a_new_run_beside_the_old_one(finished_run, cache_dir, tmp_path):
    run_dir = _without_checkpoints(finished_run, tmp_path, set_aside=False)
    before = _sums(run_dir)
    assert run_train(tmp_path, cache_dir, *SHORT, quiet_default=True).returncode == 2
    new = run_train(tmp_path, cache_dir, *SHORT, "--resume=none")
    assert new.returncode == 0, new.stderr[-3000:]
    assert f"Starting run {tmp_path / '00001-smoke'}: 0.000/0.048 kimg" in new.stdout
    assert _sums(run_dir) == before


def test_an_edited_options_json_is_a_mismatch_naming_the_option_and_nothing_moves(finished_run, cache_dir, tmp_path):
    run_dir = tmp_path / "00000-smoke"
    shutil.copytree(finished_run, run_dir)
    original = (run_dir / "options.json").read_bytes()
    options = json.loads(original)
    options["config"]["architecture"]["mbstd_num_features"] = 2  # not on the command line: options.json decides
    options["flags"]["mbstd_num_features"] = 2
    (run_dir / "options.json").write_text(json.dumps(options, indent=2))
    before = _sums(run_dir)
    refused = run_train(tmp_path, cache_dir, *SHORT, quiet_default=True)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"train.py: error: checkpoint {run_dir}/checkpoints/ckpt-48 was written with other architecture options "
        "than the run's options.json (mbstd_num_features 1 in ckpt-48, 2 in options.json); nothing was moved: put "
        "options.json back as it was, or start a new run with --resume=none."]
    assert _sums(run_dir) == before and not (run_dir / "checkpoints" / "damaged").exists()
    (run_dir / "options.json").write_bytes(original)
    resumed = run_train(tmp_path, cache_dir, *SHORT)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"Resuming run {run_dir}: 0.048/0.048 kimg" in resumed.stdout and "Done: 0.048 kimg" in resumed.stdout


@pytest.mark.slow
def test_resuming_with_another_precision_is_a_mismatch_that_moves_no_checkpoint(finished_run, cache_dir, tmp_path):
    """The float32 run resumed with --mixed_precision=float16 (whose optimizers hold a loss-scale step): every
    checkpoint file reads, so none is set aside as damaged and the run keeps its files, log lines apart."""
    run_dir = tmp_path / "00000-smoke"
    shutil.copytree(finished_run, run_dir)
    before = {name: digest for name, digest in _sums(run_dir).items() if name not in ("log.txt", "lock")}
    refused = run_train(tmp_path, cache_dir, *SHORT, "--mixed_precision=float16", quiet_default=True)
    assert refused.returncode == 2
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith(f"train.py: error: checkpoint {run_dir}/checkpoints/ckpt-48 reads, but does not fit the "
                           "networks and optimizers of the run's options (") and "{{function_node" not in line
    assert line.endswith("nothing was moved: put the run's options.json back as it was, and give the "
                         "--mixed_precision the run was trained with, or start a new run with --resume=none.")
    after = _sums(run_dir)
    assert {name: after[name] for name in before} == before and set(after) - set(before) <= {"log.txt", "lock"}
