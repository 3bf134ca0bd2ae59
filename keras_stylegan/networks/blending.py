"""Network blending ("layer swapping", Pinkney & Adler 2020, "Resolution Dependent GAN Interpolation for
Controllable Image Synthesis Between Domains"): one generator from two of one architecture, its synthesis
blocks below a resolution taken from one network and the blocks from that resolution up from the other.

The low-resolution blocks decide pose and shape, the high-resolution ones texture and colour (StyleGAN
Sec. 3.1): the "toonify" trick takes a network fine-tuned on cartoons for the coarse blocks and the
original for the fine ones (or the reverse). Both networks must be of one architecture, typically one
fine-tuned from the other (``train.py --init_from``), so that their ws and features mean the same.

Weights go by name (``synthesis/b8/...``): blocks ``b4`` .. ``b{resolution/2}`` (the learned constant, their
styled layers, noise strengths and constant noise images, their toRGB) come from ``coarse``, blocks
``b{resolution}`` .. ``bR`` from ``fine``; the mapping network and ``w_avg`` from the network ``mapping``
names, whose truncation defaults the blend keeps; the sampling stage and fade-in are ``fine``'s. A snapshot
taken mid-training (progressive growing) has trained only the blocks up to its stage: ``coarse`` must have
reached the blocks below the cut, ``fine`` the cut itself.
"""

import dataclasses
import re

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.errors import UserError

# Fields that change no weight of the generator: training settings and the discriminator's minibatch stddev.
NOT_WEIGHTS = ("w_avg_beta", "style_mixing_prob", "mbstd_group_size", "mbstd_num_features")
_BLOCK = re.compile(r"^synthesis/b(\d+)/")


def architecture_differences(config_a, config_b):
    """``[(field, value in a, value in b)]`` of the architecture fields that give the generators different weights."""
    return [(field.name, getattr(config_a, field.name), getattr(config_b, field.name))
            for field in dataclasses.fields(ArchitectureConfig)
            if field.name not in NOT_WEIGHTS and getattr(config_a, field.name) != getattr(config_b, field.name)]


def check_same_architecture(coarse, fine):
    """A one-line UserError naming what differs unless the two generators have the same weights' layout."""
    differences = architecture_differences(coarse.config, fine.config)
    if differences:
        shown = "; ".join(f"{name}: {a} (coarse) vs {b} (fine)" for name, a, b in differences)
        raise UserError(f"the networks are not of one architecture ({shown}); blending takes two networks of one "
                        "architecture, e.g. one fine-tuned from the other with train.py --init_from.")


def blend(
    coarse,  # Generator whose blocks below `resolution` are taken
    fine,  # Generator whose blocks at `resolution` and above are taken
    resolution,  # the first resolution drawn by `fine`'s blocks: 8 .. the networks' resolution
    mapping="coarse",  # which network's mapping and w_avg (and truncation defaults): "coarse" or "fine"
    name="blended",
):
    """The blended Generator (see the module docstring); weights are copies, neither network changes."""
    check_same_architecture(coarse, fine)
    resolutions = coarse.config.resolutions[1:]
    if resolution not in resolutions:
        raise UserError(f"the blend's resolution must be one of {resolutions} (the first resolution drawn by the "
                        f"fine network's blocks), got {resolution}.")
    if coarse.stage < resolution // 2:
        raise UserError(f"the coarse network draws only up to {coarse.stage} px (a snapshot of that training stage), "
                        f"so its blocks up to {resolution // 2} px were never trained; give a later snapshot of it, "
                        f"or a blend resolution of at most {2 * coarse.stage}.")
    if fine.stage < resolution:
        raise UserError(f"the fine network draws only up to {fine.stage} px (a snapshot of that training stage), so "
                        f"none of its blocks from {resolution} px up is drawn; give a later snapshot of it, or a blend "
                        f"resolution of at most {fine.stage}.")
    if mapping not in ("coarse", "fine"):
        raise UserError(f"the mapping network must come from 'coarse' or 'fine', got {mapping!r}.")
    base = coarse if mapping == "coarse" else fine
    blended = base.copy(name=name, stage=fine.stage, alpha=fine.alpha)
    coarse_weights, fine_weights = coarse.named_weights(), fine.named_weights()
    for key, variable in blended.named_weights().items():
        match = _BLOCK.match(key)
        if match:
            source = coarse_weights if int(match.group(1)) < resolution else fine_weights
            variable.assign(source[key])
    return blended
