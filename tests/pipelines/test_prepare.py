"""Preparing folders and zips: malformed files reported, errors before work, atomic output."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import zipfile

import numpy as np
import lmdb
import pytest
import tensorflow as tf
from PIL import Image

from image_files import REPO, encoded, malformed_files, png_bytes, random_rgb, run_prepare_cli, write_files
from pipelines.errors import DatasetError
from pipelines.prepare import format_summary, prepare


def valid_files(rng):
    """Six decodable 16x16-or-larger images in different formats and modes."""
    return {
        "a.png": png_bytes(random_rgb(rng, 16)),
        "b/c.jpg": encoded(Image.fromarray(random_rgb(rng, 40)), "JPEG"),
        "b/d.webp": encoded(Image.fromarray(random_rgb(rng, 16)), "WEBP", lossless=True),
        "e.gif": encoded(Image.fromarray(random_rgb(rng, 20)).convert("P"), "GIF"),
        "f.bmp": encoded(Image.fromarray(random_rgb(rng, 16)), "BMP"),
        "g.PNG": png_bytes(Image.fromarray(rng.integers(0, 256, (16, 24, 4), dtype=np.uint8), "RGBA")),
    }


def read_records(path):
    return [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(path)]


def looks_complete(root):
    """Paths of every manifest.json under ``root``: what a user (or the reader) would take for a dataset."""
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files if f == "manifest.json"]


def test_valid_plus_malformed_folder_writes_exactly_the_valid_images(tmp_path):
    rng = np.random.default_rng(0)
    valid, broken = valid_files(rng), malformed_files(rng)
    write_files(tmp_path / "src", valid)
    write_files(tmp_path / "src", {name: data for name, (data, _) in broken.items()})
    result = run_prepare_cli(f"--source={tmp_path / 'src'}", f"--output={tmp_path / 'out'}", "--resolution=16",
                             "--min_size=16", "--workers=2")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["count"] == len(valid)
    assert {r: e["count"] for r, e in manifest["resolutions"].items()} == {"4": 6, "8": 6, "16": 6}
    reasons = {s["file"]: s["reason"] for s in manifest["skipped"]}
    assert sorted(reasons) == sorted(broken)
    for name, (_, category) in broken.items():
        assert reasons[name].startswith(category + ":"), (name, reasons[name])
    records = [e for s in manifest["resolutions"]["16"]["shards"] for e in read_records(tmp_path / "out" / s["file"])]
    assert len(records) == 6
    exact = np.asarray(Image.open(tmp_path / "src" / "a.png")).tobytes()  # 16x16 RGB: stored as it is
    assert any(r.features.feature["data"].bytes_list.value[0] == exact for r in records)
    for shard in manifest["resolutions"]["8"]["shards"]:
        assert shard["sha256"] == hashlib.sha256((tmp_path / "out" / shard["file"]).read_bytes()).hexdigest()
    assert f"Wrote 6 images to {tmp_path / 'out'}" in result.stderr
    assert "Skipped 15 file(s)" in result.stderr and "not an image" in result.stderr
    assert "images/s" in result.stderr


def test_only_malformed_exits_non_zero_and_leaves_nothing(tmp_path):
    write_files(tmp_path / "src", {n: d for n, (d, _) in malformed_files(np.random.default_rng(1)).items()})
    result = run_prepare_cli(f"--source={tmp_path / 'src'}", f"--output={tmp_path / 'out'}", "--resolution=16",
                             "--min_size=16", "--workers=1")
    assert result.returncode != 0
    assert "No image of" in result.stderr and "nothing was written" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["src"]


@pytest.mark.parametrize("source, resolution, output, message", [
    ("missing", 16, "out", "does not exist"),
    ("src", 48, "out", "power of two"),
    ("src", 2, "out", "power of two"),
    ("src", 16, "src", "src exists; give --overwrite to replace it"),
    ("builtin:nope", 16, "out", "builtin:twemoji"),
])
def test_bad_arguments_are_one_line_errors_before_any_work(tmp_path, source, resolution, output, message):
    write_files(tmp_path / "src", {"a.png": png_bytes(random_rgb(np.random.default_rng(2), 16))})
    source = source if source.startswith("builtin:") else str(tmp_path / source)
    with pytest.raises(DatasetError, match=message) as raised:
        prepare(source, str(tmp_path / output), resolution, show_progress=False)
    assert "\n" not in str(raised.value)
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_command_line_error_is_one_line_and_non_zero(tmp_path):
    result = run_prepare_cli(f"--source={tmp_path / 'missing'}", f"--output={tmp_path / 'out'}", "--resolution=8")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"prepare_dataset: error: Source '{tmp_path / 'missing'}' does not exist: give a folder of images, a .zip or "
        "an LMDB folder.")
    assert os.listdir(tmp_path) == []


def test_killed_midway_leaves_nothing_that_looks_complete(tmp_path):
    rng = np.random.default_rng(3)
    write_files(tmp_path / "src", {f"{i:04d}.png": png_bytes(random_rgb(rng, 32)) for i in range(1500)})
    env = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.prepare_dataset", f"--source={tmp_path / 'src'}",
         f"--output={tmp_path / 'out'}", "--resolution=32", "--workers=1"],
        cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # the progress bar's first line: images are being written
        if line.startswith("[") and "/1500 images" in line:
            break
    partial = [n for n in os.listdir(tmp_path) if n.startswith(".out.partial-")]
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert partial, "the prepare had not started writing"
    assert not (tmp_path / "out").exists()
    assert looks_complete(tmp_path) == []
    summary = prepare(str(tmp_path / "src"), str(tmp_path / "out"), 4, max_images=2, workers=1, show_progress=False)
    assert summary["leftovers"] == [str(tmp_path / partial[0])]
    assert "partial build(s) left by interrupted runs" in format_summary(summary)


def test_zip_with_a_corrupt_member(tmp_path):
    rng = np.random.default_rng(4)
    images = {f"img{i}.png": png_bytes(random_rgb(rng, 8)) for i in range(3)}
    with zipfile.ZipFile(tmp_path / "src.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in images.items():
            archive.writestr(name, data)
    raw = bytearray((tmp_path / "src.zip").read_bytes())
    start = raw.index(b"img1.png") + len(b"img1.png")  # first occurrence: img1's local header, then its data
    raw[start + 5:start + 25] = bytes(20)
    (tmp_path / "src.zip").write_bytes(bytes(raw))
    summary = prepare(str(tmp_path / "src.zip"), str(tmp_path / "out"), 8, workers=1, show_progress=False)
    assert summary["written"] == 2
    assert list(summary["skipped_by_reason"]) == ["corrupt zip member"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["skipped"][0]["file"] == "img1.png"


def test_lmdb_database_as_lsun_distributes_it(tmp_path):
    rng = np.random.default_rng(6)
    pixels = random_rgb(rng, 8)
    with lmdb.open(str(tmp_path / "bedroom_train_lmdb"), map_size=1 << 24) as env, env.begin(write=True) as txn:
        txn.put(b"0001a", encoded(Image.fromarray(pixels), "WEBP", lossless=True))
        txn.put(b"0001b", encoded(Image.fromarray(random_rgb(rng, 12)), "JPEG"))
        txn.put(b"0001c", b"garbage")
    summary = prepare(str(tmp_path / "bedroom_train_lmdb"), str(tmp_path / "out"), 8, shuffle_seed=None, workers=1,
                      show_progress=False)
    assert summary["written"] == 2 and summary["skipped_by_reason"] == {"not an image": 1}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["skipped"][0]["file"] == "0001c"
    first = read_records(tmp_path / "out" / manifest["resolutions"]["8"]["shards"][0]["file"])[0]
    assert first.features.feature["data"].bytes_list.value[0] == pixels.tobytes()


def test_max_images_shards_and_overwrite(tmp_path):
    rng = np.random.default_rng(5)
    write_files(tmp_path / "src", {f"{i}.png": png_bytes(random_rgb(rng, 8)) for i in range(10)})
    prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, max_images=7, shards=3, workers=1, show_progress=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["count"] == 7
    assert [s["count"] for s in manifest["resolutions"]["8"]["shards"]] == [3, 3, 1]
    for shard in manifest["resolutions"]["4"]["shards"]:
        assert len(read_records(tmp_path / "out" / shard["file"])) == shard["count"]
    with pytest.raises(DatasetError, match="out exists; give --overwrite"):
        prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, workers=1, show_progress=False)
    prepare(str(tmp_path / "src"), str(tmp_path / "out"), 4, overwrite=True, workers=1, show_progress=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["count"] == 10 and list(manifest["resolutions"]) == ["4"]
    assert sorted(os.listdir(tmp_path)) == ["out", "src"]
    assert sorted(os.listdir(tmp_path / "out")) == ["manifest.json", "r04"]
