"""A projected latent on disk: one ``.npz`` that ``edit.py`` and :func:`load_latent` read back.

Arrays:

- ``w``: float32 ``[N, num_layers, w_dim]``, a w per style layer (all rows equal for a projection in W). This
  is the layout of stylegan2-ada's ``projected_w.npz``, so files of either project hold the same array; a
  file whose ``w`` is ``[N, w_dim]`` (one w for every layer) is read too.
- ``noise0``, ``noise1``, ...: float32 ``[N, H, W]``, the optimised noise image of each styled layer active
  at the stage (style-index order). Without them the network's constant noise is used, as for a latent that
  was projected without optimising noise.
- Metadata, as 0-d arrays: ``space``, ``loss``, ``num_steps``, ``target`` (the image's name), ``network``,
  ``psnr``, ``distance``.

With its noise images a latent reproduces the projection's image exactly; with the network's constant noise
instead it differs by what the noise inputs added.
"""

import dataclasses
import os
import zipfile

import numpy as np

from keras_stylegan.errors import UserError
from keras_stylegan.inference.image_io import atomic_output


@dataclasses.dataclass
class Latent:
    """Per-layer styles, the noise images (or None: the network's constant noise) and what was recorded."""

    ws: np.ndarray  # float32 [N, num_layers, w_dim]
    noise: list = None  # float32 [N, H, W, 1] per styled layer active at the stage; None: constant noise
    metadata: dict = dataclasses.field(default_factory=dict)


def save_latent(path, latent):
    """Write ``latent`` to ``path`` (an .npz), atomically."""
    arrays = {"w": np.asarray(latent.ws, np.float32)}
    for index, image in enumerate(latent.noise or []):
        arrays[f"noise{index}"] = np.asarray(image, np.float32)[..., 0]
    arrays.update({key: np.asarray(value) for key, value in latent.metadata.items()})
    with atomic_output(path) as partial, open(partial, "wb") as file:
        np.savez(file, **arrays)


def _read(path):
    if not os.path.isfile(path):
        raise UserError(f"latent {path} does not exist (give an .npz written by project.py).")
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise UserError(f"latent {path} cannot be read ({type(error).__name__}: {error}); give an .npz written "
                        "by project.py.") from None


def load_latent(path, generator):
    """The :class:`Latent` stored at ``path``, checked against ``generator``'s style layers, w size and noise
    shapes at its sampling stage; a one-line UserError saying what differs otherwise."""
    stored = _read(path)
    if "w" not in stored:
        raise UserError(f"latent {path} holds no array 'w' (it holds {', '.join(sorted(stored)) or 'nothing'}); "
                        "give an .npz written by project.py.")
    ws = stored.pop("w").astype(np.float32)
    layers, w_dim = generator.num_layers, generator.config.dlatent_size
    if ws.ndim == 2 and ws.shape[1] == w_dim:
        ws = np.repeat(ws[:, None], layers, axis=1)
    if ws.ndim != 3 or ws.shape[1:] != (layers, w_dim) or not len(ws):
        raise UserError(f"latent {path}: w is {list(ws.shape)}, the network takes [N, {layers}, {w_dim}] "
                        "(N latents, its style layers, its w size): project the image with this network.")
    shapes = generator.synthesis.noise_shapes(generator.stage) if generator.config.use_noise else []
    noise_keys = sorted((key for key in stored if key.startswith("noise") and key[5:].isdigit()),
                        key=lambda key: int(key[5:]))
    noise = None
    if noise_keys:
        found = [tuple(stored[key].shape) for key in noise_keys]
        wanted = [(len(ws), *shape) for shape in shapes]
        if found != wanted:
            raise UserError(f"latent {path}: its noise images are {found}, the network at {generator.stage} px "
                            f"takes {wanted}: project the image with this network.")
        noise = [stored.pop(key).astype(np.float32)[..., None] for key in noise_keys]
    metadata = {key: value.item() if value.ndim == 0 else value for key, value in stored.items()}
    return Latent(ws=ws, noise=noise, metadata=metadata)
