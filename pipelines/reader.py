"""Prepared TFRecords of one resolution -> ``tf.data.Dataset`` of real images for one training stage.

ProGAN (Karras et al. 2018, Sec. 3 and App. A) and StyleGAN (Karras et al. 2019) feed each stage reals
at the stage's resolution from the multi-resolution records, mirrored left-right at random
("mirror augment", StyleGAN App. C / ``training_loop.py``), in [-1, 1].

A labelled dataset (``manifest.json`` ``labels``) yields ``(images, labels)``, the labels one-hot float32
``[batch, label_size]`` as the official loop feeds conditional networks.

Pipeline: shards listed from the manifest -> (seeded) shard shuffle -> per-pipeline sharding ->
parallel interleave -> (seeded) shuffle buffer -> repeat -> parse + decode (raw or PNG) + flip +
scale to [-1, 1] -> batch(drop_remainder) -> prefetch(AUTOTUNE).

Distribution: with a ``tf.distribute.InputContext`` (``strategy.distribute_datasets_from_function``),
``batch_size`` is the *global* batch; each input pipeline reads only its own shards (or every
``num_input_pipelines``-th record when there are fewer shards than pipelines) and batches
``input_context.get_per_replica_batch_size(batch_size)`` images, which is what that function expects a
dataset function to return. Without a context, batches hold ``batch_size`` images, for one device or
for ``strategy.experimental_distribute_dataset``, which splits each global batch across replicas.
"""

import numpy as np
import tensorflow as tf

from pipelines import manifest as manifest_lib
from pipelines import record_format
from pipelines.errors import DatasetError
from pipelines.manifest import read_manifest

__all__ = ["make_dataset", "read_manifest", "default_shuffle_buffer"]

SHUFFLE_BUFFER_BYTES = 256 << 20  # default shuffle buffer: about this many bytes of encoded records
INTERLEAVE_CYCLE = 8  # shards read at once by each input pipeline


def default_shuffle_buffer(resolution, channels):
    """Images held by the default shuffle buffer: ~256 MiB of raw records, between 256 and 16384 images."""
    return int(np.clip(SHUFFLE_BUFFER_BYTES // (resolution * resolution * channels), 256, 16384))


def make_dataset(
    data_dir,  # a directory made by pipelines.prepare (holding manifest.json)
    resolution,  # stage resolution to read, one of 4, 8, ..., the dataset's final resolution
    batch_size,  # global batch; per input pipeline it is input_context.get_per_replica_batch_size(batch_size)
    mirror=True,  # flip each image left-right with probability 1/2
    shuffle_buffer=None,  # images in the shuffle buffer; None: default_shuffle_buffer(); 0 or 1: no shuffle
    seed=None,  # int: the same order and flips on every run (deterministic ops); None: random each run
    input_context=None,  # tf.distribute.InputContext from distribute_datasets_from_function, or None
    repeat=True,  # repeat forever (training); False: one pass over the data
):
    """A dataset of float32 ``[batch, resolution, resolution, channels]`` images in [-1, 1] (NHWC), or of
    ``(images, one-hot float32 labels [batch, label_size])`` when the dataset is labelled.

    Raises ``DatasetError`` naming the dataset and what it holds when ``resolution`` is not among its
    resolutions, its manifest is missing or damaged, a shard is missing, or a pipeline's share holds
    fewer images than one batch.
    """
    manifest = read_manifest(data_dir)
    files = manifest_lib.shard_files(data_dir, manifest, resolution)
    channels, encoding = int(manifest["channels"]), manifest["encoding"]
    label_size = manifest_lib.label_size(manifest)
    num_pipelines, pipeline_id = 1, 0
    if input_context is not None:
        num_pipelines, pipeline_id = input_context.num_input_pipelines, input_context.input_pipeline_id
        batch_size = input_context.get_per_replica_batch_size(batch_size)
    if manifest["count"] // num_pipelines < batch_size:
        raise DatasetError(f"{manifest_lib.describe(data_dir, manifest)}: too few for batches of {batch_size} "
                           f"on each of {num_pipelines} input pipeline(s); lower the batch size.")
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31 - 1))
    if shuffle_buffer is None:
        shuffle_buffer = default_shuffle_buffer(resolution, channels)

    dataset = tf.data.Dataset.from_tensor_slices(files)
    by_file = len(files) >= num_pipelines
    if by_file:
        dataset = dataset.shard(num_pipelines, pipeline_id)
    if by_file and shuffle_buffer > 1:  # by record, every pipeline must read the files in the same order
        dataset = dataset.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.interleave(
        tf.data.TFRecordDataset,
        cycle_length=INTERLEAVE_CYCLE,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    if not by_file:
        dataset = dataset.shard(num_pipelines, pipeline_id)
    if shuffle_buffer > 1:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed + 1, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    flip_seed = tf.constant([seed, pipeline_id], dtype=tf.int64)  # image i flips by fold_in(flip_seed, i)

    def to_image(index, serialized):
        parsed = record_format.parse_example(serialized, resolution, channels, encoding, labelled=bool(label_size))
        image = parsed[0] if label_size else parsed
        if mirror:
            image_seed = tf.random.experimental.stateless_fold_in(flip_seed, index)
            flip = tf.random.stateless_uniform([], seed=image_seed) < 0.5
            image = tf.cond(flip, lambda: tf.reverse(image, axis=[1]), lambda: image)
        image = tf.cast(image, tf.float32) / 127.5 - 1.0
        return (image, tf.one_hot(parsed[1], label_size, dtype=tf.float32)) if label_size else image

    dataset = dataset.enumerate().map(to_image, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    options = tf.data.Options()
    options.deterministic = True
    return dataset.with_options(options).prefetch(tf.data.AUTOTUNE)
