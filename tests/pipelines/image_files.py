"""Image files made by the pipeline tests: valid ones with known pixels, and malformed ones of every kind."""

import io
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def png_bytes(array_or_image):
    """A lossless PNG file of a uint8 array (HWC / HW) or a PIL image."""
    image = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def encoded(image, fmt, **save_args):
    """``image`` saved in ``fmt`` (PIL format name), as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def random_rgb(rng, size):
    """Random uint8 ``[size, size, 3]`` pixels."""
    return rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)


def raw_png(width, height, bit_depth, colour_type, pixel_data):
    """A PNG written byte by byte: IHDR as given, ``pixel_data`` (unfiltered rows) compressed into IDAT."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(pixel_data)) + chunk(b"IEND", b"")


def png_with_header_size(width, height):
    """A PNG whose IHDR claims ``width`` x ``height`` RGB pixels (a decompression bomb for large sizes)."""
    return raw_png(width, height, 8, 2, b"\x00" * 16)


def malformed_files(rng):
    """``{file name: (bytes, expected reason category)}``: each fails in its own way (min_size=16)."""
    valid_png = png_bytes(random_rgb(rng, 24))
    valid_jpeg = encoded(Image.fromarray(random_rgb(rng, 24)), "JPEG", quality=90)
    valid_webp = encoded(Image.fromarray(random_rgb(rng, 24)), "WEBP", lossless=True)
    float_tiff = encoded(Image.fromarray(rng.random((20, 20), dtype=np.float32)), "TIFF")
    return {
        "zero-bytes.png": (b"", "empty file"),
        "truncated.png": (valid_png[: len(valid_png) // 2], "truncated"),
        "truncated.jpg": (valid_jpeg[: len(valid_jpeg) // 2], "truncated"),
        "truncated.webp": (valid_webp[: len(valid_webp) // 2], "cannot decode"),
        "text-named.png": (b"this is a text file, not a picture\n" * 4, "not an image"),
        "random-bytes.jpg": (rng.integers(0, 256, 500, dtype=np.uint8).tobytes(), "not an image"),
        "html.jpeg": (b"<html><body>404 Not Found</body></html>", "not an image"),
        "jpeg-start-only.jpg": (b"\xff\xd8\xff", "not an image"),
        "gif-header-only.gif": (b"GIF89a", "not an image"),
        "bmp-garbage.bmp": (b"BM" + bytes(60), "cannot decode"),
        "bomb.png": (png_with_header_size(100_000, 100_000), "decompression bomb"),
        "too-small.png": (png_bytes(random_rgb(rng, 8)), "too small"),
        "float.tif": (float_tiff, "unsupported mode"),
        "notes.txt": (b"not an image extension", "not an image"),
        "sub/deeper/broken-idat.png": (_broken_idat(valid_png), "cannot decode"),
    }


def _broken_idat(png):
    """``png`` with its compressed pixel data scrambled (chunk CRCs left wrong)."""
    start = png.index(b"IDAT") + 4
    return png[:start] + bytes(b ^ 0x5A for b in png[start:start + 40]) + png[start + 40:]


def write_files(folder, files):
    """Write ``{relative name: bytes}`` under ``folder``."""
    for name, data in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def run_prepare_cli(*args, **kwargs):
    """``python -m pipelines.prepare_dataset ARGS`` from the repository root; a CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([sys.executable, "-m", "pipelines.prepare_dataset", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, **kwargs)
