"""Directions in W: the classifier's normal of data with a known boundary, labels files, edits."""

import numpy as np
import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.inference import directions


def _labelled(normal, count=600, dim=16, seed=0):
    """Gaussian latents labelled by the side of the hyperplane through their mean with ``normal``, a margin
    cut out (as InterFaceGAN keeps the clearly labelled samples)."""
    rng = np.random.default_rng(seed)
    ws = rng.normal(size=(count * 2, dim)) * 2.0 + 5.0
    score = (ws - 5.0) @ normal
    keep = np.abs(score) > 0.5
    return ws[keep][:count], (score[keep][:count] > 0).astype(int)


def test_the_fitted_direction_is_the_boundarys_unit_normal_towards_label_1():
    normal = np.random.default_rng(1).normal(size=16)
    normal /= np.linalg.norm(normal)
    ws, labels = _labelled(normal)
    direction = directions.fit_direction(ws, labels)
    assert np.linalg.norm(direction.direction) == pytest.approx(1.0, abs=1e-6)
    assert float(direction.direction @ normal) > 0.98  # cosine with the true normal
    assert direction.metadata["accuracy"] > 0.97 and direction.metadata["validation_accuracy"] > 0.95
    assert direction.metadata["std_along"] == pytest.approx(np.std(ws @ direction.direction), rel=1e-5)
    flipped = directions.fit_direction(ws, 1 - labels)
    np.testing.assert_allclose(flipped.direction, -direction.direction, atol=1e-5)


def test_labels_that_are_not_two_classes_are_one_line():
    ws = np.zeros([5, 4])
    with pytest.raises(UserError, match="at least 2 latents of each"):
        directions.fit_direction(ws, [0, 0, 0, 0, 1])
    with pytest.raises(UserError, match="labels 0 and 1 only"):
        directions.fit_direction(ws, [0, 0, 1, 1, 2])


def test_a_direction_file_round_trips_and_is_checked_against_w(tmp_path):
    direction = directions.Direction(np.array([3.0, 4.0], np.float32) / 5, {"accuracy": 0.9, "source": "x"})
    directions.save_direction(tmp_path / "d.npz", direction)
    loaded = directions.load_direction(str(tmp_path / "d.npz"), 2)
    np.testing.assert_allclose(loaded.direction, [0.6, 0.8])
    assert loaded.metadata == {"accuracy": 0.9, "source": "x"}
    with pytest.raises(UserError, match=r"a direction of shape \[2\]; the network's W has 64 numbers"):
        directions.load_direction(str(tmp_path / "d.npz"), 64)


@pytest.mark.parametrize("arrays, says", [
    ({"w": np.zeros([1, 4, 2])}, r"holds no array 'direction' \(it holds w\); make one with edit.py direction\.$"),
    ({"direction": np.zeros([2])}, r"array 'direction' of shape \[2\] is not a finite non-zero vector"),
    ({"direction": np.array([1.0, np.nan])}, r"array 'direction' of shape \[2\] is not a finite non-zero vector"),
    ({"direction": np.ones([2, 2])}, r"array 'direction' of shape \[2, 2\] is not a finite non-zero vector"),
])
def test_a_file_that_holds_no_direction_is_one_line_naming_what_it_holds(tmp_path, arrays, says):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(UserError, match=says):
        directions.load_direction(str(tmp_path / "d.npz"), 2)


def test_labels_files_take_seeds_and_latent_files(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("# smiling?\n12,1\n\n7 , 0\nme.npz,1\n")
    assert directions.read_labels(str(path)) == [(12, 1), (7, 0), (str(tmp_path / "me.npz"), 1)]
    path.write_text("12,yes\n")
    with pytest.raises(UserError, match="line 1: '12,yes' is not SEED,LABEL"):
        directions.read_labels(str(path))


def test_an_edit_moves_the_chosen_layers_by_alpha_times_the_direction():
    ws = np.arange(12, dtype=np.float32).reshape(4, 3)
    direction = np.array([1.0, 0.0, 0.0], np.float32)
    edited = directions.apply_direction(ws, direction, [-2.0, 0.0, 1.5], layers=[0, 1])
    assert edited.shape == (3, 4, 3)
    np.testing.assert_array_equal(edited[1], ws)
    expected = ws.copy()
    expected[:2, 0] += 1.5
    np.testing.assert_array_equal(edited[2], expected)
    assert directions.edit_layers("coarse", 8) == [0, 1, 2, 3] and directions.edit_layers("all", 4) == [0, 1, 2, 3]
