"""What goes into the generator: z for a seed, seeds as users write them, and one-hot labels for a class.

z for seed s is ``np.random.RandomState(s).randn(1, z_dim)``, as in NVIDIA's StyleGAN tools
(``pretrained_example.py``, ``generate_figures.py``, stylegan2-ada's ``generate.py``), so a seed names the
same latent in every implementation.
"""

import re

import numpy as np

from keras_stylegan.errors import UserError

MAX_SEED = 2**32 - 1  # numpy's RandomState takes seeds in [0, 2**32)
_ITEM = re.compile(r"^(\d+)(?:-(\d+))?$")


def _seed_ranges(text, what):
    """``[(first, last), ...]`` of ``"0-35,85"``, each checked; a UserError naming ``what`` otherwise."""
    ranges = []
    for item in str(text).replace(" ", "").split(","):
        match = _ITEM.match(item)
        if not match:
            raise UserError(f"{what}={text!r}: {item!r} is not a seed or a range A-B "
                            "(give non-negative integers, e.g. 0-35,85).")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first or last > MAX_SEED:
            raise UserError(f"{what}={text!r}: {item!r} is not a range A-B with A <= B <= {MAX_SEED}.")
        ranges.append((first, last))
    return ranges


def parse_seeds(text, what="--seeds"):
    """``"0-35,85"`` -> [0, 1, ..., 35, 85]: comma-separated seeds and inclusive ranges A-B, in order."""
    return [seed for first, last in _seed_ranges(text, what) for seed in range(first, last + 1)]


def count_seeds(text, what="--seeds"):
    """How many distinct seeds ``text`` names, counted without listing them (``0-4294967295`` is one range)."""
    count, end = 0, -1
    for first, last in sorted(_seed_ranges(text, what)):
        count += max(0, last - max(first, end + 1) + 1)
        end = max(end, last)
    return count


def latents_for_seeds(seeds, z_dim):
    """float32 [len(seeds), z_dim]: row i is ``RandomState(seeds[i]).randn(1, z_dim)`` (NVIDIA's z)."""
    return np.concatenate([np.random.RandomState(seed).randn(1, z_dim) for seed in seeds]).astype(np.float32)


def class_labels(class_index, label_size, count):
    """One-hot float32 labels [count, label_size] for ``class_index``, or None for an unconditional network.

    A class for an unconditional network, no class for a conditional one, or a class out of range is a
    UserError that says what to give.
    """
    if not label_size:
        if class_index is not None:
            raise UserError(f"--class={class_index} given, but the network is unconditional (label_size 0): "
                            "leave --class out.")
        return None
    if class_index is None or not 0 <= class_index < label_size:
        given = "no --class given" if class_index is None else f"--class={class_index} is out of range"
        raise UserError(f"the network is conditional with {label_size} classes and {given}: "
                        f"give --class=C with 0 <= C < {label_size}.")
    labels = np.zeros([count, label_size], np.float32)
    labels[:, class_index] = 1.0
    return labels
