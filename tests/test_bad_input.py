"""Bad input through the real command lines: exit status != 0, exactly one line ``<tool>: error: ...`` on
stderr (TensorFlow's startup noise held back by default), nothing written or changed (the bytes of every file
that was there before); the corrected command then works.

Every tool: train.py, generate.py (by seed and of latents), figures.py, export.py (every --format), evaluate.py,
plot_metrics.py, project.py, edit.py, blend.py, ``python -m keras_stylegan.legacy`` and
``python -m pipelines.prepare_dataset``. A case costs about one TensorFlow import (3-5 s on 2 cores), so CI runs
a few of each table (QUICK, TOOL_QUICK, CORRECTED_QUICK, DAMAGED_QUICK: about one a tool) and the rest are
slow-marked: ``pytest -m slow tests/test_bad_input.py``. The README's Tests section counts them.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import types

import numpy as np
import pytest
from official_pickle import write_fixture_pickle
from PIL import Image
from train_runs import REPO, run_train, tool_env

FACES = os.path.join(REPO, "tests", "fixtures", "quickstart-faces", "quickstart-faces-32px.keras")  # 8 style layers, w 64

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.training.rundir import write_options
from keras_stylegan.training.snapshot import write_snapshot
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
    assert len(lines) == 1 and lines[0].startswith("prepare_dataset: error: "), result.stderr[-2000:]
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


# ---------------------------------------------------------------------------------------------------------
# Every other tool: each case is (tool, arguments, what the one line says, corrected arguments or None).
# Arguments are functions of ``c`` (the paths below); a function may first create what the case needs in
# c.tmp (an existing output, a file in the way), which then counts among the files that must not change.

TINY = ArchitectureConfig(resolution=8, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                          fmap_base=32, fmap_max=16)  # 4 style layers


@pytest.fixture(scope="module")
def made(tmp_path_factory, data):
    """What the tools read: a run directory as training leaves it (options.json, one 8 px snapshot,
    metrics.jsonl), the prepared 8 px dataset, a folder of 20 images and an official pickle (32 px)."""
    root = tmp_path_factory.mktemp("made")
    run = root / "runs" / "00000-tiny"
    os.makedirs(run)
    write_options(str(run), {"config": {"architecture": TINY.to_dict()}})
    snapshot = write_snapshot(Generator(TINY), str(run), images_seen=1000, stage=8, alpha=1.0)
    (run / "metrics.jsonl").write_text("".join(json.dumps({"metric": "swd", "kimg": k, "results": {"swd": 50.0 - k}})
                                               + "\n" for k in range(3)))
    rng = np.random.default_rng(1)
    os.makedirs(root / "images")
    for i in range(20):
        Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(root / "images" / f"{i:02d}.png")
    pickle = write_fixture_pickle(root / "karras2019stylegan-r32.pkl", "r32", root / "ran")
    return types.SimpleNamespace(root=root, run=str(run), snapshot=snapshot, pkl=str(pickle), images=str(root / "images"),
                                 data=str(data / "ok"), src=str(data / "src-ok"), data_root=data, faces=FACES)


def _file(path, content=b"x"):
    """Create ``path`` (and its directories) holding ``content``; returns it as a string."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    return str(path)


def _dir_holding(path, levels=1):
    """Create the file ``path``; returns the directory ``levels`` above it (e.g. an output directory that
    already holds that file)."""
    _file(path)
    for _ in range(levels):
        path = os.path.dirname(path)
    return str(path)


def _legacy_output_exists(c):
    _file(c.tmp / "ffhq-D.keras")  # D's file beside the Gs output named
    return [f"--source={c.pkl}", f"--output={c.tmp / 'ffhq.keras'}"]


def _evil_pickle(c):
    """A pickle that runs ``touch <tmp>/ran`` through os.system when plain pickle loads it."""
    return _file(c.tmp / "evil.pkl", f"cos\nsystem\n(Vtouch {c.tmp}/ran\ntR.".encode())


def _damaged_copy(c, name, damage):
    """A copy of the snapshot in c.tmp, damaged by ``damage(path)``."""
    path = str(c.tmp / name)
    shutil.copy(c.snapshot, path)
    damage(path)
    return path


def _image(path, width, height):
    """A PNG of ``width`` x ``height`` yellow pixels at ``path``; returns it as a string."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", (width, height), (255, 200, 0)).save(path)
    return str(path)


def _latent(path, shape):
    """A latent file at ``path`` whose w (zeros) has ``shape`` and no noise images; returns it as a string."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, w=np.zeros(shape, np.float32))
    return str(path)


def _early_snapshot(c):
    """A network of the run's architecture saved as a snapshot of the 4 px stage; returns its path."""
    path = str(c.tmp / "early.keras")
    Generator(TINY, stage=4).save(path)
    return path


def _direction(path, size):
    """A direction file at ``path`` in a W of ``size`` numbers; returns it as a string."""
    np.savez(path, direction=np.ones(size, np.float32))
    return str(path)


def _flip_middle_byte(path):
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))


G, F, X, E, P, L, D = ("generate.py", "figures.py", "export.py", "evaluate.py", "plot_metrics.py",
                       "keras_stylegan.legacy", "prepare_dataset")
J, ED, B = "project.py", "edit.py", "blend.py"
TOOL_CASES = {
    # generate.py: outputs are checked before the network is loaded, even one that does not exist
    "generate: outdir is a file (network missing)": (
        G, lambda c: ["--network=/nowhere", "--seeds=1", f"--outdir={_file(c.tmp / 'notes.txt')}"],
        "is a file, not a directory; choose another --outdir.",
        lambda c: [f"--network={c.run}", "--seeds=1", f"--outdir={c.tmp / 'out'}"]),
    "generate: outdir under a file": (
        G, lambda c: [f"--network={c.run}", "--seeds=1", f"--outdir={_file(c.tmp / 'notes.txt')}/out"],
        "notes.txt is in the way: a file, not a directory", None),
    "generate: images exist": (
        G, lambda c: [f"--network={c.run}", "--seeds=0-1", f"--outdir={_dir_holding(c.tmp / 'out' / 'seed0001.png')}"],
        "1 of the 2 files to write exist (seed0001.png); give --overwrite to replace it, or choose another --outdir.",
        lambda c: [f"--network={c.run}", "--seeds=0-1", f"--outdir={c.tmp / 'out'}", "--overwrite"]),
    "generate: grid.png is a directory": (
        G, lambda c: [f"--network={c.run}", "--seeds=1", "--grid", f"--outdir={_dir_holding(c.tmp / 'out' / 'grid.png' / 'x', 2)}"],
        "grid.png is a directory where a file is to be written", None),
    "generate: seeds beyond --max_files": (
        G, lambda c: [f"--network={c.run}", "--seeds=0-9999999", f"--outdir={c.tmp / 'out'}"],
        "--seeds=0-9999999 asks for 10,000,000 files, more than --max_files=10,000; give --max_files=10000000",
        lambda c: [f"--network={c.run}", "--seeds=0-2", f"--outdir={c.tmp / 'out'}"]),
    "generate: seeds empty": (G, lambda c: [f"--network={c.run}", "--seeds=", f"--outdir={c.tmp}/out"],
                              "--seeds='': '' is not a seed or a range A-B", None),
    "generate: seeds missing": (G, lambda c: [f"--network={c.run}", f"--outdir={c.tmp}/out"], "give --seeds", None),
    "generate: seeds beyond 2**32": (G, lambda c: [f"--network={c.run}", "--seeds=4294967296", f"--outdir={c.tmp}/out"],
                                     "is not a range A-B with A <= B <= 4294967295", None),
    "generate: trunc_cutoff beyond the layers": (
        G, lambda c: [f"--network={c.run}", "--seeds=1", "--trunc_cutoff=100", f"--outdir={c.tmp}/out"],
        "--trunc_cutoff=100, but the network has 4 style layers (2 per resolution, 4 to 8 px); give 0 to 4.",
        lambda c: [f"--network={c.run}", "--seeds=1", "--trunc_cutoff=4", f"--outdir={c.tmp}/out"]),
    "generate: trunc_cutoff negative": (G, lambda c: [f"--network={c.run}", "--seeds=1", "--trunc_cutoff=-1",
                                                      f"--outdir={c.tmp}/out"], "--trunc_cutoff must be >= 0", None),
    "generate: trunc out of range": (G, lambda c: [f"--network={c.run}", "--seeds=1", "--trunc=3", f"--outdir={c.tmp}/out"],
                                     "--trunc: truncation_psi must be in [-1, 2]", None),
    "generate: batch_size 0": (G, lambda c: [f"--network={c.run}", "--seeds=1", "--batch_size=0", f"--outdir={c.tmp}/out"],
                               "--batch_size must be >= 1, got 0.", None),
    "generate: batch_size not a number": (
        G, lambda c: [f"--network={c.run}", "--seeds=1", "--batch_size=x", f"--outdir={c.tmp}/out"],
        "flag --batch_size=x: invalid literal for int()", None),
    "generate: unknown flag": (G, lambda c: [f"--network={c.run}", "--seed=1", f"--outdir={c.tmp}/out"],
                               "Unknown command line flag 'seed'", None),
    "generate: class for an unconditional network": (
        G, lambda c: [f"--network={c.run}", "--seeds=1", "--class=2", f"--outdir={c.tmp}/out"],
        "--class=2 given, but the network is unconditional", None),
    "generate: network missing": (G, lambda c: ["--network=/nowhere", "--seeds=1", f"--outdir={c.tmp}/out"],
                                  "network '/nowhere' does not exist", None),
    "generate: no network": (G, lambda c: ["--seeds=1", f"--outdir={c.tmp}/out"], "give --network=SRC", None),
    "generate: network is a file of another kind": (
        G, lambda c: [f"--network={_file(c.tmp / 'model.h5')}", "--seeds=1", f"--outdir={c.tmp}/out"],
        "model.h5' is not a network", None),
    "generate: network snapshot bit-flipped": (
        G, lambda c: [f"--network={_damaged_copy(c, 'flipped.keras', _flip_middle_byte)}", "--seeds=1",
                      f"--outdir={c.tmp}/out"],
        "flipped.keras is damaged: its member model.weights.h5 fails its CRC check (bytes changed)", None),
    # generate.py --latents (project.py's latent files)
    "generate: latents with --trunc": (G, lambda c: [f"--network={c.run}", f"--latents={_latent(c.tmp / 'me.npz', [1, 4, 16])}",
                                                     "--trunc=0.5", f"--outdir={c.tmp}/out"],
                                       "--trunc applies to --seeds: a latent is drawn as stored", None),
    "generate: latent of another network": (
        G, lambda c: [f"--network={c.run}", f"--latents={_latent(c.tmp / 'me.npz', [1, 8, 64])}", f"--outdir={c.tmp}/out"],
        "me.npz: w is [1, 8, 64], the network takes [N, 4, 16]",
        lambda c: [f"--network={c.faces}", f"--latents={c.tmp / 'me.npz'}", f"--outdir={c.tmp}/out"]),
    # figures.py
    "figures: output exists": (
        F, lambda c: ["truncation", f"--network={c.run}", "--seeds=1", f"--output={_file(c.tmp / 'fig.png')}"],
        "fig.png exists; give --overwrite to replace it, or choose another --output.",
        lambda c: ["truncation", f"--network={c.run}", "--seeds=1", f"--output={c.tmp / 'fig.png'}", "--overwrite"]),
    "figures: output is a directory (network missing)": (
        F, lambda c: ["truncation", "--network=/nowhere", f"--output={_dir_holding(c.tmp / 'fig.png' / 'x')}"],
        "fig.png is a directory; give a file name", None),
    "figures: output under a file": (
        F, lambda c: ["truncation", f"--network={c.run}", f"--output={_file(c.tmp / 'notes.txt')}/fig.png"],
        "notes.txt is in the way: a file, not a directory", None),
    "figures: not a PNG": (F, lambda c: ["truncation", f"--network={c.run}", f"--output={c.tmp}/fig.jpg"],
                           "figures are written as PNG", None),
    "figures: interpolation not a video": (F, lambda c: ["interpolation", f"--network={c.run}", f"--output={c.tmp}/i.png"],
                                           "a video must be written as .gif or .mp4", None),
    "figures: no sub-command": (F, lambda c: [f"--network={c.run}"], "give one sub-command", None),
    "figures: option of another sub-command": (
        F, lambda c: ["truncation", f"--network={c.run}", "--rows=1,2", f"--output={c.tmp}/fig.png"],
        "--rows is not an option of 'truncation'", None),
    "figures: psis not numbers": (F, lambda c: ["truncation", f"--network={c.run}", "--psis=a,b",
                                                f"--output={c.tmp}/fig.png"], "--psis='a,b': give comma-separated", None),
    "figures: random noise": (F, lambda c: ["truncation", f"--network={c.run}", "--noise_mode=random",
                                            f"--output={c.tmp}/fig.png"], "the figures use the network's constant noise",
                              None),
    "figures: style band unknown": (F, lambda c: ["style-mixing", f"--network={c.run}", "--styles=tiny",
                                                  f"--output={c.tmp}/fig.png"], "--styles: 'tiny' is not a band", None),
    "figures: fps 0": (F, lambda c: ["interpolation", f"--network={c.run}", "--fps=0", f"--output={c.tmp}/i.gif"],
                       "--fps must be >= 1, got 0.", None),
    # export.py
    "export: version exists": (
        X, lambda c: [f"--network={c.run}", f"--output={_dir_holding(c.tmp / 'models' / '1' / 'saved_model.pb', 2)}"],
        "models/1 exists; give --overwrite to replace it, or choose another --version (e.g. 2).",
        lambda c: [f"--network={c.run}", f"--output={c.tmp / 'models'}", "--version=2"]),
    "export: version a directory of the user's, with --overwrite": (
        X, lambda c: [f"--network={c.run}", f"--output={_dir_holding(c.tmp / 'models' / '1' / 'notes.txt', 2)}",
                      "--overwrite"],
        "models/1 is a directory but not a SavedModel (it has no saved_model.pb), so it is not replaced even with "
        "--overwrite", None),
    "export: output is a file (network missing)": (
        X, lambda c: ["--network=/nowhere", f"--output={_file(c.tmp / 'models')}"],
        "models is a file, not a directory; choose another --output.", None),
    "export: version beyond int64": (X, lambda c: [f"--network={c.run}", f"--output={c.tmp}/models",
                                                   "--version=99999999999999999999"],
                                     "--version must be an integer from 1 to 9223372036854775807", None),
    "export: version 0": (X, lambda c: [f"--network={c.run}", f"--output={c.tmp}/models", "--version=0"],
                          "--version must be an integer from 1 to", None),
    "export: no output": (X, lambda c: [f"--network={c.run}"], "give --output=DIR", None),
    "export: trunc_cutoff beyond the layers": (
        X, lambda c: [f"--network={c.run}", f"--output={c.tmp}/models", "--trunc_cutoff=9"],
        "--trunc_cutoff=9, but the network has 4 style layers", None),
    "export: snapshot cut short": (
        X, lambda c: [f"--network={_damaged_copy(c, 'short.keras', lambda p: os.truncate(p, 5000))}",
                      f"--output={c.tmp}/models"],
        "short.keras is damaged: it is not a complete .keras archive (5,000 bytes; cut short", None),
    # export.py --format=litert and --format=web
    "export web: a page exists": (
        X, lambda c: [f"--network={c.run}", "--format=web", f"--output={_dir_holding(c.tmp / 'site' / 'index.html')}"],
        "site: 1 of the 14 files to write exist (index.html); give --overwrite to replace it, or choose another --output.",
        None),
    "export litert: models exist": (
        X, lambda c: [f"--network={c.run}", "--format=litert", f"--output={_dir_holding(c.tmp / 'phone' / 'stylegan.json')}"],
        "phone: 1 of the 3 files to write exist (stylegan.json); give --overwrite",
        lambda c: [f"--network={c.run}", "--format=litert", f"--output={c.tmp / 'phone'}", "--overwrite"]),
    "export web: LiteRT.js not installed": (
        X, lambda c: [f"--network={c.run}", "--format=web", f"--output={c.tmp}/site", f"--node_modules={c.tmp}/nowhere"],
        "LiteRT.js is not installed in", None),
    "export litert: weights unknown": (X, lambda c: [f"--network={c.run}", "--format=litert", f"--output={c.tmp}/phone",
                                                     "--weights=int8"],
                                       "LiteRT weight precisions must be among float32, float16, got ['int8']", None),
    "export litert: an option of saved_model": (
        X, lambda c: [f"--network={c.run}", "--format=litert", f"--output={c.tmp}/phone", "--version=2"],
        "--version is not an option of '--format=litert'", None),
    "export: format unknown": (X, lambda c: [f"--network={c.run}", "--format=tflite", f"--output={c.tmp}/phone"],
                               "flag --format=tflite: value should be one of", None),
    # evaluate.py
    "evaluate: metrics empty": (E, lambda c: ["--metrics=", f"--network={c.run}", f"--data={c.data}"],
                                "--metrics is empty; give one or more of swd",
                                lambda c: ["--metrics=swd", f"--network={c.snapshot}", f"--data={c.data}",
                                           "--num_images=16"]),
    "evaluate: metric unknown": (E, lambda c: ["--metrics=swd,fdi", f"--network={c.run}", f"--data={c.data}"],
                                 "unknown metric 'fdi'", None),
    "evaluate: network and images": (E, lambda c: [f"--network={c.run}", f"--images={c.images}", f"--data={c.data}"],
                                     "give either --network=SRC", None),
    "evaluate: metrics.jsonl is a directory": (
        E, lambda c: [f"--network={c.copy_of_run()}", f"--data={c.data}", "--num_images=16"],
        "metrics.jsonl is not a regular file; move it away", None),
    "evaluate: data missing": (E, lambda c: [f"--network={c.run}", f"--data={c.tmp}/nowhere"], "no such directory", None),
    "evaluate: too few images": (E, lambda c: [f"--images={c.images}", f"--data={c.data}", "--num_images=21"],
                                 "holds 20 image files, the metrics compare 21", None),
    "evaluate: num_images 1": (E, lambda c: [f"--network={c.run}", f"--data={c.data}", "--num_images=1"],
                               "--num_images >= 2", None),
    "evaluate: fid without the Inception graph": (
        E, lambda c: ["--metrics=fid", f"--network={c.run}", f"--data={c.data}"], "FID needs the Inception graph", None),
    "evaluate: ms_ssim of 8 px images": (E, lambda c: ["--metrics=ms_ssim", f"--network={c.run}", f"--data={c.data}"],
                                         "ms_ssim needs images of at least", None),
    # plot_metrics.py
    "plot_metrics: output exists": (
        P, lambda c: [f"--run={c.run}", f"--output={_file(c.tmp / 'swd.png')}"],
        "swd.png exists; give --overwrite to replace it, or choose another --output.",
        lambda c: [f"--run={c.run}", f"--output={c.tmp / 'swd.png'}", "--overwrite"]),
    "plot_metrics: output under a file": (P, lambda c: [f"--run={c.run}", f"--output={_file(c.tmp / 'notes.txt')}/s.png"],
                                          "notes.txt is in the way: a file, not a directory", None),
    "plot_metrics: output is a directory": (P, lambda c: [f"--run={c.run}", f"--output={c.tmp}"],
                                            "is a directory; give a file name", None),
    "plot_metrics: no run": (P, lambda c: [], "give --run=RUN_DIR", None),
    "plot_metrics: run without metrics": (P, lambda c: [f"--run={c.tmp}", f"--output={c.tmp}/s.png"],
                                          "has no metrics.jsonl", None),
    "plot_metrics: figure never measured": (P, lambda c: [f"--run={c.run}", "--figure=fid", f"--output={c.tmp}/f.png"],
                                            "no training-time measurement of 'fid'", None),
    # project.py: the targets and every output are checked before the network is loaded
    "project: seeds beyond --max_files": (
        J, lambda c: [f"--network={c.faces}", "--seeds=0-99999999", f"--outdir={c.tmp}/out"],
        "--seeds=0-99999999 (100,000,000 images, 4 files each, and results.json) asks for 400,000,001 files, more "
        "than --max_files=10,000; give --max_files=400000001",
        lambda c: [f"--network={c.faces}", "--seeds=0", "--steps=2", f"--outdir={c.tmp}/out"]),
    "project: outputs exist": (
        J, lambda c: [f"--network={c.faces}", "--seeds=1", "--steps=2",
                      f"--outdir={_dir_holding(c.tmp / 'out' / 'seed0001.npz')}"],
        "1 of the 5 files to write exist (seed0001.npz); give --overwrite to replace it, or choose another --outdir.",
        lambda c: [f"--network={c.faces}", "--seeds=1", "--steps=2", f"--outdir={c.tmp / 'out'}", "--overwrite"]),
    "project: outdir under a file (network missing)": (
        J, lambda c: ["--network=/nowhere", "--seeds=1", f"--outdir={_file(c.tmp / 'notes.txt')}/out"],
        "notes.txt is in the way: a file, not a directory", None),
    "project: no target": (J, lambda c: [f"--network={c.faces}", f"--outdir={c.tmp}/out"], "give --target=", None),
    "project: target missing": (J, lambda c: [f"--network={c.faces}", f"--target={c.tmp}/nope.png", f"--outdir={c.tmp}/out"],
                                "nope.png does not exist (give an image file", None),
    "project: target not an image": (
        J, lambda c: [f"--network={c.faces}", f"--target={_file(c.tmp / 'bad.png', b'PNG? no')}", f"--outdir={c.tmp}/out"],
        "bad.png cannot be read as an image", None),
    "project: target smaller than the network": (
        J, lambda c: [f"--network={c.faces}", f"--target={_image(c.tmp / 'small.png', 20, 24)}", f"--outdir={c.tmp}/out"],
        "smaller than the network's 32 px (give a larger image, or --allow_upscale",
        lambda c: [f"--network={c.faces}", f"--target={c.tmp / 'small.png'}", "--allow_upscale", "--steps=2",
                   f"--outdir={c.tmp}/out"]),
    "project: lpips without weights": (J, lambda c: [f"--network={c.faces}", "--seeds=1", "--loss=lpips",
                                                     f"--outdir={c.tmp}/out"], "--loss=lpips needs LPIPS-VGG16 weights", None),
    "project: steps not a number": (J, lambda c: [f"--network={c.faces}", "--seeds=1", "--steps=x", f"--outdir={c.tmp}/out"],
                                    "flag --steps=x: invalid literal for int()", None),
    # edit.py: the files it reads and writes are checked before the network is loaded
    "edit: latent of another network": (
        ED, lambda c: ["mix", f"--network={c.faces}", "--seeds=1", f"--latent={_latent(c.tmp / 'me.npz', [1, 10, 64])}",
                       f"--output={c.tmp}/mix.png"],
        "me.npz: w is [1, 10, 64], the network takes [N, 8, 64]", None),
    "edit: output exists": (
        ED, lambda c: ["mix", f"--network={c.faces}", "--seeds=1", f"--latent={_latent(c.tmp / 'me.npz', [1, 8, 64])}",
                       f"--output={_file(c.tmp / 'mix.png')}"],
        "mix.png exists; give --overwrite to replace it, or choose another --output.",
        lambda c: ["mix", f"--network={c.faces}", "--seeds=1", f"--latent={c.tmp / 'me.npz'}",
                   f"--output={c.tmp / 'mix.png'}", "--overwrite"]),
    "edit: latent not an .npz (network missing)": (
        ED, lambda c: ["mix", "--network=/nowhere", "--seeds=1", f"--latent={_file(c.tmp / 'me.npz', b'notes')}",
                       f"--output={c.tmp}/mix.png"],
        "me.npz is not a complete .npz archive (cut short, or another kind of file); give an .npz written by project.py.",
        None),
    "edit: direction of another network": (
        ED, lambda c: ["strip", f"--network={c.faces}", "--seeds=1", f"--output={c.tmp}/strip.png",
                       f"--direction={_direction(c.tmp / 'd.npz', 16)}"],
        "d.npz holds a direction of shape [16]; the network's W has 64 numbers", None),
    "edit: strip without a direction": (ED, lambda c: ["strip", f"--network={c.faces}", "--seeds=1",
                                                       f"--output={c.tmp}/strip.png"], "give --direction=", None),
    "edit: option of another sub-command": (
        ED, lambda c: ["mix", f"--network={c.faces}", "--seeds=1", "--strengths=1", f"--output={c.tmp}/mix.png"],
        "--strengths is not an option of 'mix' (its options:", None),
    "edit: classes of an unconditional network": (
        ED, lambda c: ["direction", f"--network={c.faces}", "--classes=0,1", f"--output={c.tmp}/d.npz"],
        "--classes=0,1 needs a conditional network, but this one has no classes (label_size 0); label its latents "
        "with --labels=FILE instead.", None),
    "edit: no sub-command": (ED, lambda c: [f"--network={c.faces}", f"--output={c.tmp}/mix.png"],
                             "give one sub-command (direction, strip, mix), got nothing", None),
    "edit: scale not a number": (ED, lambda c: ["mix", f"--network={c.faces}", "--scale=x", f"--output={c.tmp}/mix.png"],
                                 "flag --scale=x: invalid literal for int()", None),
    # blend.py
    "blend: networks of two architectures": (
        B, lambda c: [f"--coarse={c.run}", f"--fine={c.faces}", "--resolution=8", f"--output={c.tmp}/blend.keras"],
        "the networks are not of one architecture (", None),
    "blend: output exists": (
        B, lambda c: [f"--coarse={c.faces}", f"--fine={c.faces}", "--resolution=16", f"--output={_file(c.tmp / 'b.keras')}"],
        "b.keras exists; give --overwrite to replace it, or choose another --output.",
        lambda c: [f"--coarse={c.faces}", f"--fine={c.faces}", "--resolution=16", f"--output={c.tmp / 'b.keras'}",
                   "--overwrite"]),
    "blend: preview under a file (networks missing)": (
        B, lambda c: ["--coarse=/nowhere", "--fine=/nowhere", "--resolution=8", f"--output={c.tmp}/b.keras",
                      f"--preview={_file(c.tmp / 'notes.txt')}/b.png"], "notes.txt is in the way: a file", None),
    "blend: output not .keras": (B, lambda c: [f"--coarse={c.faces}", f"--fine={c.faces}", "--resolution=8",
                                               f"--output={c.tmp}/b.h5"], "give --output=FILE.keras", None),
    "blend: resolution not a number": (B, lambda c: [f"--coarse={c.faces}", f"--fine={c.faces}", "--resolution=x",
                                                     f"--output={c.tmp}/b.keras"], "flag --resolution=x: invalid", None),
    "blend: resolution not a block's": (B, lambda c: [f"--coarse={c.faces}", f"--fine={c.faces}", "--resolution=7",
                                                      f"--output={c.tmp}/b.keras"],
                                        "the blend's resolution must be one of [8, 16, 32]", None),
    "blend: fine network of an earlier stage": (
        B, lambda c: [f"--coarse={c.run}", f"--fine={_early_snapshot(c)}", "--resolution=8", f"--output={c.tmp}/b.keras"],
        "the fine network draws only up to 4 px (a snapshot of that training stage), so none of its blocks from 8 px "
        "up is drawn; give a later snapshot of it, or a blend resolution of at most 4.", None),
    # python -m keras_stylegan.legacy
    "legacy: output exists": (
        L, _legacy_output_exists,
        "ffhq-D.keras exists; give --overwrite to replace it, or choose another --output.",
        lambda c: [f"--source={c.pkl}", f"--output={c.tmp / 'ffhq.keras'}", "--overwrite"]),
    "legacy: output under a file": (L, lambda c: [f"--source={c.pkl}", f"--output={_file(c.tmp / 'notes.txt')}/f.keras"],
                                    "notes.txt is in the way: a file, not a directory", None),
    "legacy: output not .keras": (L, lambda c: [f"--source={c.pkl}", f"--output={c.tmp}/ffhq.h5"],
                                  "must end with .keras", None),
    "legacy: source missing": (L, lambda c: ["--source=/nowhere.pkl", f"--output={c.tmp}/f.keras"],
                               "cannot read /nowhere.pkl: No such file or directory.", None),
    "legacy: no source": (L, lambda c: [f"--output={c.tmp}/f.keras"],
                          "the following arguments are required: --source (see --help).", None),
    "legacy: networks unknown": (L, lambda c: [f"--source={c.pkl}", f"--output={c.tmp}/f.keras", "--networks=G"],
                                 "argument --networks: invalid choice: 'G'", None),
    "legacy: pickle cut short": (
        L, lambda c: [f"--source={_file(c.tmp / 'cut.pkl', open(c.pkl, 'rb').read()[:4000])}", f"--output={c.tmp}/f.keras"],
        "cut.pkl is not a readable pickle", None),
    "legacy: pickle naming os.system": (
        L, lambda c: [f"--source={_evil_pickle(c)}", f"--output={c.tmp}/f.keras"],
        "it names the global os.system", None),
    # python -m pipelines.prepare_dataset
    "prepare: output exists": (
        D, lambda c: [f"--source={c.src}", f"--output={_dir_holding(c.tmp / 'data' / 'manifest.json')}",
                      "--resolution=8"],
        "data exists; give --overwrite to replace it, or choose another --output.",
        lambda c: [f"--source={c.src}", f"--output={c.tmp / 'data'}", "--resolution=8", "--overwrite", "--workers=1"]),
    "prepare: overwrite a directory that is not a dataset": (
        D, lambda c: [f"--source={c.src}", f"--output={_dir_holding(c.tmp / 'photos' / 'a.jpg')}",
                      "--resolution=8", "--overwrite"],
        "photos is a directory but not a prepared dataset (it has no manifest.json), so it is not replaced", None),
    "prepare: output under a file": (D, lambda c: [f"--source={c.src}", f"--output={_file(c.tmp / 'notes.txt')}/d",
                                                   "--resolution=8"], "notes.txt is in the way: a file", None),
    "prepare: source missing": (D, lambda c: [f"--source={c.tmp}/nowhere", f"--output={c.tmp}/d", "--resolution=8"],
                                "does not exist", None),
    "prepare: resolution not a power of two": (D, lambda c: [f"--source={c.src}", f"--output={c.tmp}/d", "--resolution=48"],
                                               "--resolution must be a power of two", None),
    "prepare: shards 0": (D, lambda c: [f"--source={c.src}", f"--output={c.tmp}/d", "--resolution=8", "--shards=0"],
                          "flag --shards=0: 0 is not a positive integer", None),
    "prepare: background not numbers": (D, lambda c: [f"--source={c.src}", f"--output={c.tmp}/d", "--resolution=8",
                                                       "--background=a,b,c"], "--background must be three integers", None),
}
TOOL_QUICK = ("generate: outdir is a file (network missing)", "generate: seeds beyond --max_files",
              "export: version exists", "export web: a page exists", "evaluate: metrics empty",
              "plot_metrics: output exists", "project: seeds beyond --max_files", "edit: latent of another network",
              "blend: networks of two architectures", "legacy: output exists", "prepare: output exists")
CORRECTED_QUICK = ("generate: images exist", "plot_metrics: output exists")


def _run_tool(tool, args):
    """A tool run as a user runs it (TensorFlow's start-up noise held back by default)."""
    command = ([sys.executable, "-m", "keras_stylegan.legacy"] if tool == L else
               [sys.executable, "-m", "pipelines.prepare_dataset"] if tool == D else
               [sys.executable, os.path.join(REPO, tool)])
    return subprocess.run(command + list(args), cwd=REPO, env=tool_env(quiet_default=True), capture_output=True,
                          text=True, timeout=600)


def _sums(*roots):
    """sha256 of every file under ``roots``."""
    found = {}
    for root in roots:
        for directory, _, files in os.walk(root):
            for name in files:
                path = os.path.join(directory, name)
                with open(path, "rb") as f:
                    found[path] = hashlib.sha256(f.read()).hexdigest()
    return found


def _context(made, tmp_path):
    def copy_of_run():
        copy = tmp_path / "run-copy"
        shutil.copytree(made.run, copy)
        os.remove(copy / "metrics.jsonl")
        os.makedirs(copy / "metrics.jsonl")
        return str(copy)
    return types.SimpleNamespace(**vars(made), tmp=tmp_path, copy_of_run=copy_of_run)


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c in TOOL_QUICK else pytest.mark.slow)
                                  for c in TOOL_CASES])
def test_every_tool_says_what_is_wrong_in_one_line_and_changes_nothing(made, tmp_path, case):
    tool, args, expected, _ = TOOL_CASES[case]
    c = _context(made, tmp_path)
    arguments = args(c)
    before = _sums(tmp_path, made.root, made.data_root)
    result = _run_tool(tool, arguments)
    assert result.returncode == 2, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f"{tool}: error: ") and expected in lines[0], lines[0]
    assert _sums(tmp_path, made.root, made.data_root) == before
    assert not os.path.exists(tmp_path / "ran")  # nothing from a pickle ran


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c in CORRECTED_QUICK else pytest.mark.slow)
                                  for c in TOOL_CASES if TOOL_CASES[c][3]])
def test_every_tools_corrected_command_then_works(made, tmp_path, case):
    """In the state the refused command left (the same files, see above), the corrected command succeeds."""
    tool, args, _, corrected = TOOL_CASES[case]
    c = _context(made, tmp_path)
    args(c)  # what the case set up: the existing output, the file in the way
    fixed = _run_tool(tool, corrected(c))
    assert fixed.returncode == 0, fixed.stderr[-3000:]


# ---------------------------------------------------------------------------------------------------------
# Damaged files where a network or a record is read: one line naming the file and the damage (exit 2), or,
# inside a run directory, a warning naming the file passed over and the one used (exit 0). Each case is
# (damage done to a copy of the run, arguments, exit status, the stderr lines' expected starts).

@pytest.fixture(scope="module")
def checkpointed_run(tmp_path_factory):
    """A run directory as training leaves it after 2000 images: options.json, snapshots at 1000 and 2000
    images, Gs checkpoints at both (with the images seen and the architecture recorded) and metrics.jsonl."""
    import tensorflow as tf

    from keras_stylegan.training.checkpoint import RunCheckpoint
    from keras_stylegan.training.config import TrainingConfig
    from keras_stylegan.training.schedule import ProgressiveSchedule

    run = tmp_path_factory.mktemp("checkpointed") / "00000-tiny"
    os.makedirs(run)
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=8)
    write_options(str(run), {"config": TrainingConfig(architecture=TINY, schedule=schedule).to_dict()})
    G, seen = Generator(TINY), tf.Variable(0, dtype=tf.int64)
    checkpoint = RunCheckpoint(str(run / "checkpoints"), {"ema_generator": G.named_weights(), "images_seen": seen},
                               architecture=TINY.to_dict())
    for images in (1000, 2000):
        seen.assign(images)
        checkpoint.save(images)
        write_snapshot(G, str(run), images_seen=images, stage=8, alpha=1.0)
    (run / "metrics.jsonl").write_text("".join(json.dumps({"metric": "swd", "kimg": k, "results": {"swd": 9.0 - k}})
                                               + "\n" for k in range(4)))
    return run


def _cut(path, keep=0.5):
    os.truncate(path, int(os.path.getsize(path) * keep))


def _all_snapshots_emptied_newest_checkpoint_cut(run):
    for path in run.glob("network-snapshot-*.keras"):
        os.truncate(path, 0)
    _cut(run / "checkpoints" / "ckpt-2000.data-00000-of-00001")


def _fake_export_with_a_cut_network(run):
    """An export.py base directory whose version 1 holds a cut-short assets.extra/network.keras."""
    _file(run / "models" / "1" / "saved_model.pb")
    os.makedirs(run / "models" / "1" / "assets.extra")
    shutil.copy(run / "network-snapshot-000002.000.keras", run / "models" / "1" / "assets.extra" / "network.keras")
    _cut(run / "models" / "1" / "assets.extra" / "network.keras")


def _cut_latent(run):
    """A latent file of the run's network (TINY: 4 style layers, w 16), cut short, beside its snapshots."""
    _latent(run / "me.npz", [1, 4, 16])
    _cut(run / "me.npz")


NEWEST, OLDER = "network-snapshot-000002.000.keras", "network-snapshot-000001.000.keras"
PASSED_OVER = "generate.py: warning: passed over " + NEWEST
DAMAGED_CASES = {
    "newest snapshot cut short: the run falls back": (
        lambda run: _cut(run / NEWEST), lambda run, out: [G, f"--network={run}", "--seeds=1", f"--outdir={out}"], 0,
        [f"{PASSED_OVER} (it is not a complete .keras archive", f"using {OLDER}, the newest network of run directory"]),
    "newest snapshot bit-flipped: the run falls back": (
        lambda run: _flip_middle_byte(run / NEWEST), lambda run, out: [G, f"--network={run}", "--seeds=1",
                                                                         f"--outdir={out}"], 0,
        [f"{PASSED_OVER} (its member model.weights.h5 fails its CRC check (bytes changed)); using {OLDER}"]),
    "newest snapshot emptied: the run falls back": (
        lambda run: os.truncate(run / NEWEST, 0), lambda run, out: [G, f"--network={run}", "--seeds=1",
                                                                      f"--outdir={out}"], 0,
        [f"{PASSED_OVER} (it is empty (0 bytes)); using {OLDER}"]),
    "every snapshot emptied, newest checkpoint cut: the run falls back to ckpt-1000": (
        _all_snapshots_emptied_newest_checkpoint_cut, lambda run, out: [G, f"--network={run}", "--seeds=1",
                                                                          f"--outdir={out}"], 0,
        [f"{PASSED_OVER}, {OLDER}, ckpt-2000 (it is empty (0 bytes)); using ckpt-1000"]),
    "snapshot cut short, given itself": (
        lambda run: _cut(run / NEWEST), lambda run, out: [G, f"--network={run / NEWEST}", "--seeds=1",
                                                            f"--outdir={out}"], 2,
        [f"generate.py: error: network file {{run}}/{NEWEST} is damaged: it is not a complete .keras archive"]),
    "snapshot emptied, given itself": (
        lambda run: os.truncate(run / NEWEST, 0), lambda run, out: [F, "truncation", f"--network={run / NEWEST}",
                                                                      f"--output={out}/f.png"], 2,
        [f"figures.py: error: network file {{run}}/{NEWEST} is damaged: it is empty (0 bytes); copy it again"]),
    "checkpoint cut short, given itself": (
        lambda run: _cut(run / "checkpoints" / "ckpt-2000.data-00000-of-00001"),
        lambda run, out: [X, f"--network={run / 'checkpoints' / 'ckpt-2000'}", f"--output={out}/models"], 2,
        ["export.py: error: checkpoint {run}/checkpoints/ckpt-2000 is damaged: it does not read (Read less bytes "
         "than requested); give an older checkpoint, or the run's network snapshot"]),
    "export whose network.keras is cut short": (
        _fake_export_with_a_cut_network, lambda run, out: [G, f"--network={run / 'models'}", "--seeds=1",
                                                             f"--outdir={out}"], 2,
        ["generate.py: error: network file {run}/models/1/assets.extra/network.keras is damaged: it is not a "
         "complete .keras archive"]),
    "snapshot bit-flipped, given to project.py": (
        lambda run: _flip_middle_byte(run / NEWEST), lambda run, out: [J, f"--network={run / NEWEST}", "--seeds=1",
                                                                         f"--outdir={out}"], 2,
        [f"project.py: error: network file {{run}}/{NEWEST} is damaged: its member model.weights.h5 fails its CRC "
         "check (bytes changed)"]),
    "a latent file cut short, given to edit.py": (
        _cut_latent, lambda run, out: [ED, "mix", f"--network={run}", "--seeds=1", f"--latent={run / 'me.npz'}",
                                       f"--output={out}/mix.png"], 2,
        ["edit.py: error: latent {run}/me.npz is not a complete .npz archive (cut short, or another kind of file)"]),
    "a latent file cut short, among generate.py's --latents": (
        _cut_latent, lambda run, out: [G, f"--network={run}", f"--latents={run}", f"--outdir={out}"], 2,
        ["generate.py: error: latent {run}/me.npz is not a complete .npz archive (cut short, or another kind of file)"]),
    "snapshot emptied, given to blend.py as the fine network": (
        lambda run: os.truncate(run / OLDER, 0), lambda run, out: [B, f"--coarse={run / NEWEST}", f"--fine={run / OLDER}",
                                                                     "--resolution=8", f"--output={out}/b.keras"], 2,
        [f"blend.py: error: network file {{run}}/{OLDER} is damaged: it is empty (0 bytes)"]),
    "checkpoint cut short, given to export.py --format=litert": (
        lambda run: _cut(run / "checkpoints" / "ckpt-2000.data-00000-of-00001"),
        lambda run, out: [X, f"--network={run / 'checkpoints' / 'ckpt-2000'}", "--format=litert",
                          f"--output={out}/phone"], 2,
        ["export.py: error: checkpoint {run}/checkpoints/ckpt-2000 is damaged: it does not read"]),
    "metrics.jsonl cut mid-line: the rest is plotted": (
        lambda run: _cut(run / "metrics.jsonl", 0.9),
        lambda run, out: [P, f"--run={run}", f"--output={out}/swd.png"], 0,
        ["plot_metrics.py: warning: {run}/metrics.jsonl line 4: not JSON (", "cut short or edited?); passed over."]),
}
DAMAGED_QUICK = ("newest snapshot cut short: the run falls back", "a latent file cut short, given to edit.py",
                 "metrics.jsonl cut mid-line: the rest is plotted")


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c in DAMAGED_QUICK else pytest.mark.slow)
                                  for c in DAMAGED_CASES])
def test_a_damaged_file_is_one_line_or_a_named_fallback(checkpointed_run, tmp_path, case):
    damage, args, status, expected = DAMAGED_CASES[case]
    run = tmp_path / "00000-tiny"
    shutil.copytree(checkpointed_run, run)
    damage(run)
    tool, *arguments = args(run, tmp_path / "out")
    before = _sums(run)
    result = _run_tool(tool, arguments)
    assert result.returncode == status, result.stderr[-3000:]
    [line] = [line for line in result.stderr.strip().splitlines() if not line.startswith("[")]  # not a progress bar
    assert line.startswith(expected[0].format(run=run)), line
    assert all(part.format(run=run) in line for part in expected[1:]), line
    assert _sums(run) == before  # a fallback moves and rewrites nothing either
    assert os.path.exists(tmp_path / "out") == (status == 0)


def test_an_undecodable_image_among_the_scored_ones_is_named_and_passed_over(made, tmp_path):
    images = tmp_path / "images"
    shutil.copytree(made.images, images)
    (images / "05-broken.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    scored = _run_tool(E, [f"--images={images}", f"--data={made.data}", "--num_images=20"])
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert [line for line in scored.stderr.splitlines() if not line.startswith("[")] == [
        "evaluate.py: warning: --images: 05-broken.png passed over (not an image: no decoder recognises the file's "
        "contents)."]
    assert json.loads(scored.stdout)["num_images"] == 20
    short = _run_tool(E, [f"--images={images}", f"--data={made.data}", "--num_images=21"])
    assert short.returncode == 2
    assert short.stderr.strip().splitlines()[-1] == (
        f"evaluate.py: error: --images={images}: 20 of its 21 image files decode (passed over: 05-broken.png), the "
        "metrics compare 21; give --num_images=20 or more images.")
