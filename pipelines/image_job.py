"""The work done for one source file in a worker process: read, decode, build the pyramid, encode.

It imports neither TensorFlow nor absl, so ``--workers`` processes start fast; the main process
turns the encoded bytes into TFRecord examples (:mod:`pipelines.record_writer`).
"""

import dataclasses
import io

from PIL import Image

from pipelines import image_decode, pyramid, sources
from pipelines.errors import SkipImage

ENCODINGS = ("raw", "png")
PNG_COMPRESS_LEVEL = 3  # prepare speed vs size; the reader's decode cost barely depends on it


@dataclasses.dataclass(frozen=True)
class JobOptions:
    """What every image of one prepare run is turned into (pickled once per task for the workers)."""

    kind: str  # "folder" or "zip", from the SourceListing
    container: str  # the folder or .zip path
    resolution: int  # final resolution R
    channels: int = 3
    transform: str = "center-crop"
    background: tuple = (255, 255, 255)
    min_size: int = 0
    max_pixels: int = Image.MAX_IMAGE_PIXELS
    encoding: str = "raw"


def run_job(task):
    """``(options, member)`` -> ``(member, {r: encoded bytes}, None)`` or ``(member, None, reason)``."""
    options, member = task
    try:
        data = sources.read_bytes(options.kind, options.container, member)
        image = image_decode.decode_image(
            data,
            options.resolution,
            channels=options.channels,
            transform=options.transform,
            background=options.background,
            min_size=options.min_size,
            max_pixels=options.max_pixels,
        )
    except SkipImage as e:
        return member, None, str(e)
    levels = pyramid.pyramid(image)
    return member, {r: encode(level, options.encoding) for r, level in levels.items()}, None


def run_jobs(tasks):
    """:func:`run_job` over a list of tasks: one round trip to a worker process for several files."""
    return [run_job(task) for task in tasks]


def encode(image, encoding):
    """A uint8 HWC array -> record payload: its bytes in C order (``raw``) or a PNG file (``png``)."""
    if encoding == "raw":
        return image.tobytes()
    if encoding == "png":
        buffer = io.BytesIO()
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
            buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL
        )
        return buffer.getvalue()
    raise ValueError(f"Unknown encoding {encoding!r}: choose one of {', '.join(ENCODINGS)}.")
