"""The small ``.npz`` files the tools write and read back (projected latents, directions in W): written
atomically, read with one line for each way a file can be wrong (missing, not an .npz, unreadable).

A file that is not a zip archive (a text file, a copy cut short: the zip's directory is at its end) is told
apart before numpy reads it: numpy takes any file it does not recognise for a pickle and says so, which is no
help to a user who gave a wrong file.
"""

import os
import zipfile

import numpy as np

from keras_stylegan.errors import UserError
from keras_stylegan.inference.image_io import atomic_output


def save_npz(path, arrays):
    """Write ``{name: array}`` to ``path`` (an .npz), atomically."""
    with atomic_output(path) as partial, open(partial, "wb") as file:
        np.savez(file, **arrays)


def load_npz(
    path,
    what,  # what the file is, for the message: "latent", "direction"
    advice,  # what to give instead, e.g. "give an .npz written by project.py"
):
    """``{name: array}`` of the .npz at ``path`` (no pickled objects); a one-line UserError naming ``what`` and
    ``path`` when it is missing or does not read."""
    if not os.path.isfile(path):
        raise UserError(f"{what} {path} does not exist ({advice}).")
    if not zipfile.is_zipfile(path):
        raise UserError(f"{what} {path} is not a complete .npz archive (cut short, or another kind of file); "
                        f"{advice}.")
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise UserError(f"{what} {path} cannot be read ({type(error).__name__}: {error}); {advice}.") from None
