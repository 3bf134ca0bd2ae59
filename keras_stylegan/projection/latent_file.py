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

import numpy as np

from keras_stylegan.errors import UserError
from keras_stylegan.npz_files import load_npz, save_npz

ADVICE = "give an .npz written by project.py"


@dataclasses.dataclass
class Latent:
    """Per-layer styles, the noise images (or None: the network's constant noise) and what was recorded."""

    ws: np.ndarray  # float32 [N, num_layers, w_dim]
    noise: list = None  # float32 [N, H, W, 1] per styled layer active at the stage; None: constant noise
    metadata: dict = dataclasses.field(default_factory=dict)

    def one(self, index):
        """Latent ``index`` alone: ws [1, num_layers, w_dim] and its noise images, each [1, H, W, 1]."""
        noise = None if self.noise is None else [image[index:index + 1] for image in self.noise]
        return Latent(self.ws[index:index + 1], noise, dict(self.metadata))


def save_latent(path, latent):
    """Write ``latent`` to ``path`` (an .npz), atomically."""
    arrays = {"w": np.asarray(latent.ws, np.float32)}
    for index, image in enumerate(latent.noise or []):
        arrays[f"noise{index}"] = np.asarray(image, np.float32)[..., 0]
    arrays.update({key: np.asarray(value) for key, value in latent.metadata.items()})
    save_npz(path, arrays)


def _read(path):
    """The arrays of the latent file ``path``, its ``w`` checked to be [N, num_layers, w_dim] or [N, w_dim]."""
    stored = load_npz(path, "latent", ADVICE)
    w = stored.get("w")
    if w is None:
        raise UserError(f"latent {path} holds no array 'w' (it holds {', '.join(sorted(stored)) or 'nothing'}); "
                        f"{ADVICE}.")
    if w.ndim not in (2, 3) or not len(w):
        raise UserError(f"latent {path}: w is {list(w.shape)}, not [N, num_layers, w_dim] or [N, w_dim]; {ADVICE}.")
    return stored


def latent_files(path, flag="--latents"):
    """The latent files ``path`` names: itself (an .npz), or every .npz directly in the folder it is, sorted; a
    UserError naming ``flag`` when there is none."""
    if os.path.isdir(path):
        files = sorted(os.path.join(path, name) for name in os.listdir(path)
                       if name.lower().endswith(".npz") and os.path.isfile(os.path.join(path, name)))
        if not files:
            raise UserError(f"{flag}={path} holds no .npz latent files ({ADVICE}, or a folder of them).")
        return files
    if not path.lower().endswith(".npz"):
        raise UserError(f"{flag}={path} is not an .npz file or a folder ({ADVICE}, or a folder of them).")
    return [path]


def latent_count(path):
    """How many latents the file ``path`` holds, read without a network (a tool counts the files it will write
    before it loads one); a one-line UserError when it is not a latent file."""
    return len(_read(path)["w"])


def load_latent(path, generator):
    """The :class:`Latent` stored at ``path``, checked against ``generator``'s style layers, w size and noise
    shapes at its sampling stage; a one-line UserError saying what differs otherwise."""
    stored = _read(path)
    ws = stored.pop("w").astype(np.float32)
    layers, w_dim = generator.num_layers, generator.config.dlatent_size
    if ws.ndim == 2 and ws.shape[1] == w_dim:
        ws = np.repeat(ws[:, None], layers, axis=1)
    if ws.ndim != 3 or ws.shape[1:] != (layers, w_dim):
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
