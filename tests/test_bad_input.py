"""Bad input through the real command lines: exit status != 0, exactly one line ``<tool>: error: ...`` on
stderr (TensorFlow's startup noise held back by default), nothing written; the corrected command then works.

Each case fails before TensorFlow builds any network, so a case costs about one TensorFlow import. The run
that meets a damaged shard while training, and the rest of the table, are slow-marked.
"""

import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from train_runs import REPO, run_train, tool_env

from pipelines.prepare import prepare


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Two prepared 8 px datasets: "ok" with 16 images, "one" with a single image."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for name, count in (("ok", 16), ("one", 1)):
        os.makedirs(root / f"src-{name}")
        for i in range(count):
            Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(root / f"src-{name}" / f"{i}.png")
        prepare(str(root / f"src-{name}"), str(root / name), 8, workers=1, show_progress=False, shards=2)
    return root


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_only_dir(tmp_path):
    """A directory nothing can be created in: chmod 555, or /proc for root (who ignores permissions)."""
    if os.geteuid() == 0:
        return "/proc"
    path = tmp_path / "read-only"
    os.makedirs(path)
    os.chmod(path, 0o555)
    return str(path)


def _wrong_schema_run(tmp_path):
    """A run directory whose options.json is valid JSON but not a run's options."""
    run_dir = tmp_path / "00000-smoke"
    os.makedirs(run_dir)
    (run_dir / "options.json").write_text(json.dumps({"config": {"architecture": {"resolution": 8}}, "flags": {}}))
    return str(run_dir)


# case: (extra flags as a function of (tmp_path, data root), expected start of the message after "error: ")
TRAIN_CASES = {
    "precision name": (lambda t, d: ["--mixed_precision=garbage"],
                       "mixed_precision must be one of auto, float32, float16, bfloat16; got 'garbage'"),
    "mbstd group": (lambda t, d: ["--mbstd_group_size=3"],
                    "mbstd_group_size=3 does not divide the minibatch 8 at resolution 4"),
    "latent size": (lambda t, d: ["--latent_size=0"], "latent_size must be an integer >= 1, got 0."),
    "grid size": (lambda t, d: ["--grid_size=0"], "grid_size must be >= 1, got 0."),
    "one image": (lambda t, d: [f"--data={d / 'one'}"], "resolution 4, minibatch 8 (1 replica(s)): dataset"),
    "strategy name": (lambda t, d: ["--strategy=garbage"], "strategy must be one of auto, default, mirrored"),
    "tpu without address": (lambda t, d: ["--strategy=tpu"], "--strategy=tpu: cannot use the local TPU"),
    "tpu not answering": (lambda t, d: ["--strategy=tpu", f"--tpu_address=grpc://127.0.0.1:{_closed_port()}"],
                          "--tpu_address=grpc://127.0.0.1:"),
    "multiworker without TF_CONFIG": (lambda t, d: ["--strategy=multiworker"],
                                      "--strategy=multiworker needs TF_CONFIG"),
    "outdir is a file": (lambda t, d: [f"--outdir={d / 'ok' / 'manifest.json'}"], "--outdir="),
    "outdir read-only": (lambda t, d: [f"--outdir={_read_only_dir(t)}/runs"], ""),
    "resume options of another schema": (lambda t, d: [f"--resume={_wrong_schema_run(t)}"], "cannot resume "),
    "dict flag": (lambda t, d: ["--minibatch_dict=4=64"], "--minibatch_dict: bad entry '4=64'"),
    "no dataset": (lambda t, d: [f"--data={t / 'nowhere'}"], "--data="),
    "stray argument": (lambda t, d: ["extra"], None),
    "augmentation name": (lambda t, d: ["--augment=adaptive"],
                          "augment must be one of none, diffaug, ada; got 'adaptive'."),
    "diffaug policy": (lambda t, d: ["--augment=diffaug", "--diffaug_policy=colour"],
                       "diffaug_policy='colour': unknown DiffAugment policies ['colour']"),
    "fixed p without ada": (lambda t, d: ["--augment_p=0.5"],
                            "augment_p=0.5 sets ADA's strength: it needs augment=ada, not 'none'."),
}
QUICK = ("precision name", "mbstd group", "one image", "tpu not answering", "outdir is a file",
         "resume options of another schema", "augmentation name")


def _tree(path):
    """Every file under ``path`` with its bytes (to see that nothing was written)."""
    found = {}
    for root, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                found[os.path.relpath(os.path.join(root, name), path)] = f.read()
    return found


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c in QUICK else pytest.mark.slow) for c in TRAIN_CASES])
def test_train_bad_input_is_one_line_and_writes_nothing(tmp_path, data, case):
    flags_of, expected = TRAIN_CASES[case]
    extra = flags_of(tmp_path, data)
    before = _tree(tmp_path)
    result = run_train(tmp_path / "runs", tmp_path / "cache", f"--data={data / 'ok'}", *extra, quiet_default=True)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    if expected is None:  # absl's own usage error for a positional argument
        assert "unexpected arguments ['extra']" in result.stderr
    else:
        assert len(lines) == 1, result.stderr[-3000:]
        assert lines[0].startswith(f"train.py: error: {expected}"), lines[0]
    assert result.stdout == ""
    assert not os.path.exists(tmp_path / "runs")
    assert _tree(tmp_path) == before


def test_the_corrected_command_then_works(tmp_path, data):
    mistakes = (["--mixed_precision=garbage"], ["--mbstd_group_size=3"], [f"--outdir={data / 'ok' / 'manifest.json'}"])
    for extra in mistakes:
        failed = run_train(tmp_path / "runs", tmp_path / "cache", f"--data={data / 'ok'}", *extra, quiet_default=True)
        assert failed.returncode == 2
    corrected = run_train(tmp_path / "runs", tmp_path / "cache", f"--data={data / 'ok'}", "--total_kimg=0.008",
                          "--mbstd_group_size=4", "--mixed_precision=float32", quiet_default=True)
    assert corrected.returncode == 0, corrected.stderr[-3000:]
    assert corrected.stderr == ""  # no TensorFlow startup noise either
    assert os.listdir(tmp_path / "runs") == ["00000-smoke"]  # the failed attempts left no run directory
    assert "Done: 0.008 kimg" in corrected.stdout


def _prepare_cli(*args):
    return subprocess.run([sys.executable, "-m", "pipelines.prepare_dataset", *args], cwd=REPO,
                          env=tool_env(quiet_default=True), capture_output=True, text=True, timeout=300)


def test_prepare_dataset_with_a_read_only_output_is_one_line(tmp_path, data):
    result = _prepare_cli(f"--source={data / 'src-ok'}", f"--output={_read_only_dir(tmp_path)}/out", "--resolution=8")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prepare_dataset: error: Output "), result.stderr[-2000:]
    assert "choose another --output" in lines[0]


def _damage(shard):
    damaged = bytearray(shard.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    shard.write_bytes(bytes(damaged))


def test_verify_lists_each_damaged_shard_and_fails(tmp_path, data):
    copy = tmp_path / "copy"
    shutil.copytree(data / "ok", copy)
    good = _prepare_cli(f"--verify={copy}")
    assert good.returncode == 0 and "every shard matches the manifest" in good.stdout, good.stderr[-2000:]
    _damage(copy / "r08" / "shard-00001.tfrecord")
    os.truncate(copy / "r04" / "shard-00000.tfrecord", 10)
    bad = _prepare_cli(f"--verify={copy}")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"damaged: {copy}/r04/shard-00000.tfrecord: 10 bytes, the manifest says "
        f"{json.load(open(copy / 'manifest.json'))['resolutions']['4']['shards'][0]['bytes']}",
        f"damaged: {copy}/r08/shard-00001.tfrecord: its sha256 differs from the manifest's (bytes changed)",
        f"prepare_dataset: error: dataset '{copy}' holds 16 RGB images at resolutions 4..8: 2 shard file(s) damaged "
        "(listed above); prepare the dataset again (--overwrite) or copy it again from a good copy.",
    ]


@pytest.mark.slow
def test_a_damaged_shard_met_in_training_names_the_file_and_the_check(tmp_path, data):
    copy = tmp_path / "copy"
    shutil.copytree(data / "ok", copy)
    for shard in ("shard-00000.tfrecord", "shard-00001.tfrecord"):
        _damage(copy / "r08" / shard)
    result = run_train(tmp_path / "runs", tmp_path / "cache", f"--data={copy}", quiet_default=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"train.py: error: the dataset {copy} is damaged: {copy}/r08/shard-00000.tfrecord: its sha256 differs from "
        f"the manifest's (bytes changed) and 1 more; list every damaged file with python -m pipelines.prepare_dataset "
        f"--verify={copy}, then prepare or copy it again (the run resumes)."]
