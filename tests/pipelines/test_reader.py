"""The tf.data reader: exact round trip at every resolution, range, seeds, mirroring, distribution, errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from image_files import REPO, png_bytes, random_rgb, write_files
from pipelines.errors import DatasetError
from pipelines.manifest import verify_shards
from pipelines.prepare import prepare
from pipelines.reader import make_dataset, read_manifest

NUM_IMAGES = 40


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """Forty random 16x16 RGB images (all distinct), as a folder, and their pixels."""
    root = tmp_path_factory.mktemp("reader")
    rng = np.random.default_rng(7)
    pixels = [random_rgb(rng, 16) for _ in range(NUM_IMAGES)]
    write_files(root / "src", {f"{i:03d}.png": png_bytes(p) for i, p in enumerate(pixels)})
    return root, pixels


@pytest.fixture(scope="module", params=["raw", "png"])
def dataset_dir(request, sources):
    root, _ = sources
    out = root / f"data-{request.param}"
    prepare(str(root / "src"), str(out), 16, encoding=request.param, shards=3, workers=1, show_progress=False)
    return str(out)


def block_means(image, r):
    """numpy: mean of each block of the 16x16 source covering one pixel at resolution r, rounded half up."""
    k = 16 // r
    return np.floor(image.astype(np.float64).reshape(r, k, r, k, 3).mean(axis=(1, 3)) + 0.5)


def one_pass(data_dir, resolution, batch_size=1, **kwargs):
    ds = make_dataset(data_dir, resolution, batch_size, mirror=False, shuffle_buffer=0, repeat=False, **kwargs)
    return np.concatenate([b.numpy() for b in ds])


@pytest.mark.parametrize("resolution", [4, 8, 16])
def test_round_trip_is_exact_at_every_resolution(sources, dataset_dir, resolution):
    _, pixels = sources
    images = one_pass(dataset_dir, resolution)
    assert images.shape == (NUM_IMAGES, resolution, resolution, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    as_uint8 = (images + 1.0) * 127.5
    np.testing.assert_allclose(as_uint8, np.round(as_uint8), atol=1e-4)
    got = sorted(np.round(as_uint8).astype(np.uint8).tobytes() for as_uint8 in as_uint8)
    want = sorted(block_means(p, resolution).astype(np.uint8).tobytes() for p in pixels)
    assert got == want


def test_same_seed_same_order_other_seed_other_order(dataset_dir):
    def first_batches(seed):
        ds = make_dataset(dataset_dir, 8, 8, seed=seed)
        return np.stack([b.numpy() for b in ds.take(6)])  # 48 images: past the end of the first epoch

    a, b, c = first_batches(3), first_batches(3), first_batches(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_mirror_flips_about_half(dataset_dir):
    plain = one_pass(dataset_dir, 16)
    ds = make_dataset(dataset_dir, 16, NUM_IMAGES, mirror=True, shuffle_buffer=0, seed=11)
    flipped = 0
    for batch in ds.take(5).as_numpy_iterator():  # same order every epoch: compare image by image
        for image, original in zip(batch, plain):
            if np.array_equal(image, original[:, ::-1]):
                flipped += 1
            else:
                np.testing.assert_array_equal(image, original)
    assert 0.35 * 200 <= flipped <= 0.65 * 200


def test_wrong_resolution_and_batch_too_large_name_the_dataset(dataset_dir):
    with pytest.raises(DatasetError, match=r"holds 40 RGB images at resolutions 4\.\.16, asked for 32"):
        make_dataset(dataset_dir, 32, 4)
    with pytest.raises(DatasetError, match="too few for batches of 64"):
        make_dataset(dataset_dir, 8, 64)


def test_missing_damaged_and_mismatched_manifests(tmp_path, dataset_dir):
    with pytest.raises(DatasetError, match="does not exist"):
        read_manifest(str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="not a prepared dataset"):
        read_manifest(str(tmp_path))
    manifest = json.loads(open(os.path.join(dataset_dir, "manifest.json")).read())
    cases = {
        "truncated JSON": ("{\"format\": ", "Damaged manifest"),
        "no counts": (json.dumps({k: v for k, v in manifest.items() if k != "count"}), "missing count"),
        "version": (json.dumps({**manifest, "format_version": 99}), "version 99"),
        "shard counts": (json.dumps({**manifest, "count": 41}), "do not add up"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / "manifest.json").write_text(text)
        with pytest.raises(DatasetError, match=message):
            read_manifest(str(tmp_path))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match="shard file"):
        make_dataset(str(tmp_path), 8, 4)


def test_verify_shards_finds_a_changed_byte(sources, tmp_path):
    root, _ = sources
    data_dir = tmp_path / "data"
    prepare(str(root / "src"), str(data_dir), 8, shards=2, workers=1, show_progress=False)
    assert verify_shards(str(data_dir))["count"] == NUM_IMAGES
    shard = data_dir / "r08" / "shard-00001.tfrecord"
    damaged = bytearray(shard.read_bytes())
    damaged[100] ^= 1
    shard.write_bytes(bytes(damaged))
    verify_shards(str(data_dir), resolutions=[4])
    with pytest.raises(DatasetError, match=r"r08/shard-00001.tfrecord: its sha256 differs from the manifest"):
        verify_shards(str(data_dir))


DISTRIBUTED = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from pipelines.reader import make_dataset
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
data_dir, global_batch = sys.argv[1], 8
by_function = strategy.distribute_datasets_from_function(
    lambda context: make_dataset(data_dir, 8, global_batch, seed=0, input_context=context))
by_dataset = strategy.experimental_distribute_dataset(make_dataset(data_dir, 8, global_batch, seed=0))
for dist in (by_function, by_dataset):
    first, second = strategy.experimental_local_results(next(iter(dist)))
    print([tuple(first.shape), tuple(second.shape)], bool(tf.reduce_all(first == second)))
"""


def test_mirrored_strategy_gives_each_replica_half_the_global_batch(sources):
    root, _ = sources
    dataset_dir = str(root / "data-distributed")
    prepare(str(root / "src"), dataset_dir, 8, workers=1, show_progress=False)
    env = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-c", DISTRIBUTED, dataset_dir], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[(4, 8, 8, 3), (4, 8, 8, 3)] False"] * 2


@pytest.mark.parametrize("pipelines", [2, 4])  # 3 shards: split by file for 2, by record for 4
def test_input_pipelines_read_disjoint_parts_that_cover_the_data(dataset_dir, pipelines):
    parts = []
    for pipeline_id in range(pipelines):  # shuffled with a different random seed in every pipeline
        context = tf.distribute.InputContext(pipelines, pipeline_id, num_replicas_in_sync=pipelines)
        ds = make_dataset(dataset_dir, 4, pipelines, mirror=False, repeat=False, input_context=context)
        parts.append(np.concatenate([b.numpy() for b in ds]))  # batches of 1 per pipeline
    assert sum(len(p) for p in parts) == NUM_IMAGES
    everything = sorted(image.tobytes() for image in one_pass(dataset_dir, 4))
    assert sorted(image.tobytes() for part in parts for image in part) == everything
