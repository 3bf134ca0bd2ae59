"""Damage done to a checkpoints directory holding ckpt-16/32/48 (each file's newest first), shared by the
checkpoint unit tests and the train.py fault-injection tests."""

import os

DATA = "ckpt-48.data-00000-of-00001"


def _flip_a_byte(path, offset_from_end):
    data = bytearray(open(path, "rb").read())
    data[len(data) - offset_from_end] ^= 0xFF
    open(path, "wb").write(bytes(data))


def _garble(path, text):
    with open(path, "wb") as f:
        f.write(text)


CORRUPTIONS = {
    "index file deleted": lambda d: os.remove(os.path.join(d, "checkpoint")),
    "index file garbled": lambda d: _garble(os.path.join(d, "checkpoint"), b"model_checkpoint_path: \x00garbage {"),
    "newest data truncated": lambda d: os.truncate(os.path.join(d, DATA), os.path.getsize(os.path.join(d, DATA)) // 2),
    "newest data zero bytes": lambda d: os.truncate(os.path.join(d, DATA), 0),
    "newest data bit-flipped": lambda d: _flip_a_byte(os.path.join(d, DATA), 3),
    "newest .index missing": lambda d: os.remove(os.path.join(d, "ckpt-48.index")),
    "newest .index garbled": lambda d: _garble(os.path.join(d, "ckpt-48.index"), b"not an sstable"),
    "newest .data missing": lambda d: os.remove(os.path.join(d, DATA)),
}
NEWEST_DAMAGED = [name for name in CORRUPTIONS if name.startswith("newest")]  # the others leave ckpt-48 readable
