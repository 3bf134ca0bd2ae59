"""Writes the sharded multi-resolution TFRecords: ``<dir>/rNN/shard-XXXXX.tfrecord``.

Shard ``k`` holds written images ``[k * per_shard, (k + 1) * per_shard)`` at every resolution, so the
shards of every resolution hold the same images in the same order, and only one file per resolution
is open at a time (a 70k-image, 1024 px set has hundreds of shards per resolution).
"""

import math
import os

import tensorflow as tf

from pipelines import record_format
from pipelines.manifest import file_sha256

SHARD_TARGET_BYTES = 256 << 20  # default shards hold about this much at the final resolution
MAX_DEFAULT_SHARDS = 16  # default shard count for small sets: lets up to 16 input pipelines split by file


def resolution_dir(resolution):
    """Folder name of one resolution's shards: ``r04``, ``r08``, ..., ``r1024``."""
    return f"r{resolution:02d}"


def default_num_shards(num_images, resolution, channels):
    """Enough shards for about ``SHARD_TARGET_BYTES`` each, and at least ``min(16, num_images)``."""
    by_size = math.ceil(num_images * resolution * resolution * channels / SHARD_TARGET_BYTES)
    return max(1, by_size, min(MAX_DEFAULT_SHARDS, num_images))


class ShardedRecordWriter:
    """Appends each image's encoded pyramid to the current shard of every resolution."""

    def __init__(
        self,
        directory,  # dataset directory being built (the temporary one)
        resolutions,  # [4, 8, ..., R]
        images_per_shard,  # a shard is closed and the next begun after this many images
        channels,
    ):
        self.directory = directory
        self.resolutions = list(resolutions)
        self.images_per_shard = max(1, int(images_per_shard))
        self.channels = channels
        self.shards = {r: [] for r in self.resolutions}
        self.writers = {}
        self.written = 0
        for r in self.resolutions:
            os.makedirs(os.path.join(directory, resolution_dir(r)), exist_ok=True)

    def add(self, encoded, label=None):
        """Write one image: ``{resolution: payload bytes}`` for every resolution, with its class index
        (None: unlabelled)."""
        if self.written % self.images_per_shard == 0:
            self._next_shard()
        for r in self.resolutions:
            self.writers[r].write(record_format.serialize_example(encoded[r], (r, r, self.channels), label))
            self.shards[r][-1]["count"] += 1
        self.written += 1

    def _next_shard(self):
        self._close_writers()
        index = len(self.shards[self.resolutions[0]])
        for r in self.resolutions:
            name = f"{resolution_dir(r)}/shard-{index:05d}.tfrecord"
            self.shards[r].append({"file": name, "count": 0})
            self.writers[r] = tf.io.TFRecordWriter(os.path.join(self.directory, name))

    def _close_writers(self):
        for writer in self.writers.values():
            writer.close()
        self.writers = {}

    def close(self):
        """Flush the last shards; return ``{resolution: [{"file", "count", "bytes", "sha256"}, ...]}``."""
        self._close_writers()
        for shards in self.shards.values():
            for shard in shards:
                path = os.path.join(self.directory, shard["file"])
                shard["bytes"] = os.path.getsize(path)
                shard["sha256"] = file_sha256(path)
        return self.shards

