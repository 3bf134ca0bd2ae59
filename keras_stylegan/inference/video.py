"""Writing frames as an animated GIF (Pillow) or an MP4 video (imageio with its ffmpeg, as stylegan2-ada).

The file type comes from the extension. GIFs need nothing beyond Pillow; MP4 needs ``imageio`` and
``imageio-ffmpeg`` (both in requirements.txt) and frames whose sides are multiples of 16, which small
frames are enlarged to.
"""

import math
import os

from keras_stylegan.errors import UserError
from keras_stylegan.inference.grid import enlarge
from keras_stylegan.inference.image_io import atomic_output, to_pil

VIDEO_TYPES = (".gif", ".mp4")
_MACRO_BLOCK = 16  # H.264 encodes 16x16 blocks: imageio would resize other sizes


def check_video_path(path):
    """Raise a UserError unless ``path`` ends in a video type this module writes."""
    if os.path.splitext(path)[1].lower() not in VIDEO_TYPES:
        raise UserError(f"{path!r}: a video must be written as {' or '.join(VIDEO_TYPES)} (name it e.g. interp.gif).")


def write_video(path, frames, fps=24):
    """Write uint8 frames [T, H, W, C] (C = 1 or 3) to ``path`` (.gif or .mp4), atomically."""
    check_video_path(path)
    with atomic_output(path) as partial:
        if path.lower().endswith(".gif"):
            first, *rest = [to_pil(frame) for frame in frames]
            first.save(partial, format="GIF", save_all=True, append_images=rest, duration=round(1000 / fps), loop=0)
        else:
            _write_mp4(partial, frames, fps)


def _write_mp4(path, frames, fps):
    try:
        import imageio.v2 as imageio
    except ImportError:
        raise UserError("writing MP4 needs imageio and imageio-ffmpeg (pip install -r requirements.txt); "
                        "or write a .gif.") from None
    frames = enlarge(frames, math.ceil(_MACRO_BLOCK / min(frames.shape[1:3])))
    if frames.shape[-1] == 1:
        frames = frames[..., 0]
    with imageio.get_writer(path, format="FFMPEG", fps=fps, codec="libx264", quality=8,
                            macro_block_size=_MACRO_BLOCK) as writer:
        for frame in frames:
            writer.append_data(frame)
