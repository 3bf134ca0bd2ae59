"""Writing pictures so that nothing is ever half-written: a temporary file beside the target, then a rename."""

import contextlib
import os

from PIL import Image


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path beside ``path`` (same extension) to write to; on success it becomes ``path``
    by an atomic rename, on failure it is removed and ``path`` is left as it was. Missing directories are
    created."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    partial = os.path.join(directory, f".partial-{os.getpid()}-{name}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def to_pil(image):
    """A PIL image of a uint8 HWC array (one channel -> grayscale "L", three -> "RGB")."""
    return Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)


def write_png(path, image):
    """Write a uint8 HWC array as a PNG file, atomically."""
    with atomic_output(path) as partial:
        to_pil(image).save(partial, format="PNG")
