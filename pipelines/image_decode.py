"""One encoded image file -> a square uint8 HWC array at the final resolution.

The conversion the official dataset tool does before writing TFRecords (ProGAN, Karras et al. 2018,
App. A / ``dataset_tool.py``: center crop for CelebA-HQ and LSUN, padding for the "wide" LSUN car set),
made safe for arbitrary user folders: every PIL mode is mapped to 8-bit RGB (or luma) by explicit,
documented arithmetic, alpha is composited onto a background colour, EXIF orientation is honoured, and
anything that cannot be decoded raises :class:`~pipelines.errors.SkipImage` with the reason.

Arithmetic (all exact integer maths, so tests can recompute it with numpy):
  - 16-bit grayscale (modes ``I;16*`` and ``I``) -> 8 bit: ``(v + 128) // 257`` (round(v * 255 / 65535)).
    16-bit RGB(A) PNGs are reduced by PIL itself while decoding, to the high byte ``v >> 8``.
  - alpha compositing: ``(c * a + bg * (255 - a) + 127) // 255``.
  - luma for ``channels=1`` (ITU-R BT.601): ``(299 R + 587 G + 114 B + 500) // 1000``.
  - palette, bilevel, CMYK, YCbCr, LAB and HSV images use PIL's own conversion to RGB(A); CMYK -> RGB is
    ``R = (255 - C) * (255 - K) / 255`` (PIL's ``cmyk2rgb``).
"""

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipelines.errors import SkipImage

TRANSFORMS = ("center-crop", "letterbox", "resize")
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def decode_image(
    data,  # the file's bytes
    resolution,  # side of the square output, in pixels
    channels=3,  # 3 (RGB) or 1 (luma)
    transform="center-crop",  # how a non-square image becomes square: one of TRANSFORMS
    background=(255, 255, 255),  # RGB colour behind transparent pixels and letterbox bars
    min_size=0,  # images whose shorter side is below this are skipped
    max_pixels=Image.MAX_IMAGE_PIXELS,  # larger images are skipped as decompression bombs
):
    """Decode ``data`` into a ``[resolution, resolution, channels]`` uint8 array or raise ``SkipImage``.

    Only the first frame of animated files (GIF, WebP) is used. Non-square images are made square by
    ``transform`` (center crop, letterbox padding with ``background``, or plain resize), then resized with
    a Lanczos filter when their side differs from ``resolution``.
    """
    image = open_image(data, max_pixels)
    if min(image.size) < min_size:
        raise SkipImage("too small", f"{image.size[0]}x{image.size[1]} is below --min_size={min_size}")
    rgb = to_rgb(image, background)
    square = make_square(Image.fromarray(rgb), transform, background)
    if square.size != (resolution, resolution):
        square = square.resize((resolution, resolution), Image.Resampling.LANCZOS)
    out = np.asarray(square, dtype=np.uint8)
    if channels == 1:
        return luma(out)[..., None]
    return out


def open_image(data, max_pixels=Image.MAX_IMAGE_PIXELS):
    """Fully decode the first frame of ``data`` with its EXIF orientation applied, or raise ``SkipImage``."""
    if len(data) == 0:
        raise SkipImage("empty file", "0 bytes")
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.seek(0)
            image.load()
            return ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise SkipImage("decompression bomb", str(e).split(". ")[0]) from None
    except UnidentifiedImageError:
        raise SkipImage("not an image", "no decoder recognises the file's contents") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as e:
        category = "truncated" if "truncated" in str(e).lower() else "cannot decode"
        raise SkipImage(category, f"{type(e).__name__}: {e}") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit


def to_rgb(image, background=(255, 255, 255)):
    """Any PIL image -> uint8 ``[H, W, 3]`` RGB, with alpha (if any) composited onto ``background``."""
    mode = image.mode
    if mode == "F":
        raise SkipImage("unsupported mode", "32-bit floating-point image (mode F) has no defined range")
    if mode in _SIXTEEN_BIT_MODES:
        values = np.asarray(image).astype(np.int64)
        gray = np.clip((values + 128) // 257, 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=-1)
    if mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = np.asarray(image.convert("RGBA"))
        return composite(rgba[..., :3], rgba[..., 3], background)
    return np.asarray(image.convert("RGB"))


def composite(rgb, alpha, background):
    """``rgb`` over an opaque ``background`` colour with straight ``alpha`` (Porter-Duff "over"), uint8."""
    colour = np.asarray(background, dtype=np.int64).reshape(1, 1, 3)
    a = alpha.astype(np.int64)[..., None]
    return ((rgb.astype(np.int64) * a + colour * (255 - a) + 127) // 255).astype(np.uint8)


def luma(rgb):
    """BT.601 luma of a uint8 ``[..., 3]`` array, rounded: ``(299 R + 587 G + 114 B + 500) // 1000``."""
    weights = np.array([299, 587, 114], dtype=np.int64)
    return ((rgb.astype(np.int64) @ weights + 500) // 1000).astype(np.uint8)


def make_square(image, transform, background=(255, 255, 255)):
    """Make a PIL RGB image square: ``center-crop`` its longer side, ``letterbox`` it, or leave it (``resize``)."""
    width, height = image.size
    if width == height or transform == "resize":
        return image
    if transform == "center-crop":
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        return image.crop((left, top, left + side, top + side))
    if transform == "letterbox":
        side = max(width, height)
        canvas = Image.new("RGB", (side, side), tuple(background))
        canvas.paste(image, ((side - width) // 2, (side - height) // 2))
        return canvas
    raise ValueError(f"Unknown transform {transform!r}: choose one of {', '.join(TRANSFORMS)}.")
