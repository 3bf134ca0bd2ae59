"""The embedded dataset builtin:twemoji: prepared on first use into a cache, from the installed package."""

import os

import pytest

from pipelines.builtin import ensure_builtin
from pipelines.errors import DatasetError
from pipelines.reader import make_dataset, read_manifest


def test_twemoji_is_prepared_once_and_holds_over_a_thousand_real_images(tmp_path):
    first = ensure_builtin("twemoji", str(tmp_path), resolution=32, show_progress=False)
    manifest = read_manifest(first)
    assert manifest["count"] >= 1000 and manifest["resolution"] == 32 and manifest["skipped"] == []
    assert manifest["source"].startswith("builtin:twemoji (") and "CC-BY 4.0" in manifest["source"]
    stamp = os.stat(os.path.join(first, "manifest.json")).st_mtime_ns
    assert ensure_builtin("twemoji", str(tmp_path), resolution=32) == first
    assert os.stat(os.path.join(first, "manifest.json")).st_mtime_ns == stamp
    assert [n for n in os.listdir(tmp_path) if "partial" in n] == []
    batch = next(iter(make_dataset(first, 32, 64, seed=0))).numpy()
    assert batch.shape == (64, 32, 32, 3)
    assert batch.std(axis=(1, 2, 3)).min() > 0.05  # pictures, not flat fills
    assert len({image.tobytes() for image in batch}) == 64


def test_unknown_builtin_lists_the_names(tmp_path):
    with pytest.raises(DatasetError, match="Unknown builtin dataset 'mnist': the builtin datasets are builtin:twemoji"):
        ensure_builtin("mnist", str(tmp_path))
    assert os.listdir(tmp_path) == []

