"""Directions in W that change one attribute (InterFaceGAN: Shen et al. 2020, "Interpreting the Latent Space
of GANs for Semantic Face Editing", Sec. 2.2-2.3).

An attribute that a linear boundary separates in W is edited by moving w along the boundary's unit normal
n: ``w' = w + alpha n``. The boundary is fitted to labelled latents by a linear classifier; InterFaceGAN uses a
linear SVM, here it is L2-regularised logistic regression (Newton's method, numpy), whose normal direction
is the same kind of object and needs no dependency. The normal points from label 0 towards label 1.

Labelled latents come from a labels file (``SEED,LABEL`` or ``FILE.npz,LABEL`` per line, LABEL 0 or 1: the
w of a seed, untruncated, or of a projected latent), or, for a conditional network, from two of its classes
(the ws of many zs mapped with one label and with the other).

A direction file (``.npz``) holds ``direction`` (float32 [w_dim], unit length) and what the fit measured
(``accuracy`` on the latents it was fitted to, ``validation_accuracy`` of a fit to four fifths on the fifth
left out, ``count_0``, ``count_1``, ``std_along``, ``source``).
"""

import dataclasses
import os

import numpy as np

from keras_stylegan.errors import UserError
from keras_stylegan.npz_files import load_npz, save_npz
from keras_stylegan.networks.style_mixing import layers_of_band

NEWTON_STEPS = 50
VALIDATION_FRACTION = 0.2  # InterFaceGAN's split of the labelled latents


@dataclasses.dataclass
class Direction:
    """A unit direction in W and what its fit measured."""

    direction: np.ndarray  # float32 [w_dim], unit length, towards label 1
    metadata: dict = dataclasses.field(default_factory=dict)


def _logistic_regression(x, y, l2):
    """Weights [D] and bias of L2-regularised logistic regression (Newton's method) on x [N, D], y in {0, 1}."""
    features = np.concatenate([x, np.ones([len(x), 1])], axis=1)
    theta = np.zeros(features.shape[1])
    penalty = np.full(features.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not regularised
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(features @ theta, -30, 30)))
        gradient = features.T @ (p - y) + penalty * theta
        hessian = (features * (p * (1 - p))[:, None]).T @ features + np.diag(penalty) + 1e-9 * np.eye(len(theta))
        delta = np.linalg.solve(hessian, gradient)
        theta -= delta
        if np.max(np.abs(delta)) < 1e-10:
            break
    return theta[:-1], theta[-1]


def _accuracy(x, y, weights, bias):
    return float(np.mean(((x @ weights + bias) > 0) == (y > 0.5))) if len(x) else float("nan")


def fit_direction(
    ws,  # float [N, w_dim]: one w per labelled latent
    labels,  # [N] of 0 and 1
    l2=1.0,  # weight of the L2 penalty on the normal (keeps it finite on separable data)
    seed=0,  # which fifth is held out for the validation accuracy
):
    """The :class:`Direction` of the boundary between label 0 and label 1 (see the module docstring).

    The ws are centred and divided by their overall standard deviation before the fit, so that the penalty
    means the same for every network (a shift and a uniform scale, which leave the normal's direction as it
    is). ``std_along`` in the metadata is the standard deviation of the ws along the direction: the unit in
    which edits are given (an edit of 1 moves w by one such standard deviation)."""
    ws, labels = np.asarray(ws, np.float64), np.asarray(labels, np.float64)
    if ws.ndim != 2 or len(ws) != len(labels):
        raise ValueError(f"need ws [N, w_dim] and N labels, got {list(ws.shape)} and {len(labels)}.")
    counts = [int(np.sum(labels == value)) for value in (0, 1)]
    if sum(counts) != len(labels) or min(counts) < 2:
        raise UserError(f"a direction needs labels 0 and 1 only, at least 2 latents of each, got {counts[0]} "
                        f"labelled 0 and {counts[1]} labelled 1 of {len(labels)}.")
    x = (ws - ws.mean(axis=0)) / ws.std()
    order = np.random.default_rng(seed).permutation(len(x))
    held = order[:int(len(x) * VALIDATION_FRACTION)]
    fit = order[len(held):]
    weights, bias = _logistic_regression(x[fit], labels[fit], l2)
    validation = _accuracy(x[held], labels[held], weights, bias)
    weights, bias = _logistic_regression(x, labels, l2)  # the direction itself uses every latent
    norm = np.linalg.norm(weights)
    if not norm > 0:
        raise UserError("the labelled latents give no direction (the classifier's normal is zero): the labels do not "
                        "follow the latents; label more latents, or others.")
    unit = weights / norm
    metadata = {"accuracy": _accuracy(x, labels, weights, bias), "validation_accuracy": validation,
                "count_0": counts[0], "count_1": counts[1], "std_along": float(np.std(ws @ unit))}
    return Direction(unit.astype(np.float32), metadata)


def save_direction(path, direction):
    """Write a :class:`Direction` to ``path`` (.npz), atomically."""
    save_npz(path, {"direction": direction.direction, **{k: np.asarray(v) for k, v in direction.metadata.items()}})


def load_direction(path, w_dim=None):
    """The :class:`Direction` at ``path`` (made unit length), checked to be a finite non-zero vector, and a
    direction in a W of ``w_dim`` numbers when that is given (:func:`check_direction`)."""
    arrays = load_npz(path, "direction", "make one with edit.py direction")
    vector = arrays.pop("direction", None)
    if vector is None:
        held = ", ".join(sorted(arrays)) or "nothing"
        raise UserError(f"direction {path} holds no array 'direction' (it holds {held}); make one with edit.py "
                        "direction.")
    if vector.ndim != 1 or not np.all(np.isfinite(vector)) or not np.any(vector):
        raise UserError(f"direction {path}: its array 'direction' of shape {list(vector.shape)} is not a finite "
                        "non-zero vector; make one with edit.py direction.")
    metadata = {key: value.item() if value.ndim == 0 else value for key, value in arrays.items()}
    direction = Direction((vector / np.linalg.norm(vector)).astype(np.float32), metadata)
    if w_dim is not None:
        check_direction(direction, w_dim, path)
    return direction


def check_direction(direction, w_dim, path):
    """A UserError unless ``direction`` (read from ``path``) is a direction in a W of ``w_dim`` numbers."""
    if direction.direction.shape != (w_dim,):
        raise UserError(f"direction {path} holds a direction of shape {list(direction.direction.shape)}; the "
                        f"network's W has {w_dim} numbers (fit the direction with this network: edit.py direction).")


def read_labels(path):
    """``[(key, label)]`` of a labels file: per line ``SEED,LABEL`` (key an int) or ``FILE.npz,LABEL`` (key the
    file's path, relative to the labels file's folder); blank lines and lines starting with # are skipped."""
    if not os.path.isfile(path):
        raise UserError(f"labels file {path} does not exist (give a text file of SEED,LABEL lines).")
    entries = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, label = line.rpartition(",")
            key, label = key.strip(), label.strip()
            if label not in ("0", "1") or not key:
                raise UserError(f"{path} line {number}: {line!r} is not SEED,LABEL or FILE.npz,LABEL with LABEL "
                                "0 or 1.")
            if key.isdigit():
                entries.append((int(key), int(label)))
            elif key.endswith(".npz"):
                entries.append((os.path.join(os.path.dirname(os.path.abspath(path)), key), int(label)))
            else:
                raise UserError(f"{path} line {number}: {key!r} is neither a seed nor an .npz latent.")
    return entries


def edit_layers(band, num_layers):
    """The style layers an edit moves: every one (``band`` "all"), or a band of Fig. 3 (coarse, middle, fine)."""
    return list(range(num_layers)) if band == "all" else layers_of_band(band, num_layers)


def apply_direction(ws, direction, alphas, layers):
    """ws [L, D] moved by each of ``alphas`` along ``direction`` [D] on the style ``layers``: [len(alphas), L, D]."""
    mask = np.zeros([len(ws), 1], np.float32)
    mask[layers] = 1.0
    return (np.asarray(ws, np.float32)[None] + np.asarray(alphas, np.float32)[:, None, None]
            * mask[None] * np.asarray(direction, np.float32)[None, None]).astype(np.float32)
