"""Interpolation paths: frame layout, slerp on the sphere in Z, straight lines in W (checked with numpy)."""

import numpy as np
import pytest

from keras_stylegan.inference.paths import interpolation_steps, w_path, z_path


def test_steps_go_from_each_keyframe_to_the_next_and_loop_or_end_on_the_last():
    assert interpolation_steps(3, 2, loop=True) == [(0, 1, 0.0), (0, 1, 0.5), (1, 2, 0.0), (1, 2, 0.5),
                                                   (2, 0, 0.0), (2, 0, 0.5)]
    assert interpolation_steps(2, 3, loop=False)[-1] == (0, 1, 1.0)
    assert len(interpolation_steps(4, 10, loop=False)) == 31
    with pytest.raises(ValueError, match="at least 2 keyframes"):
        interpolation_steps(1, 5, loop=True)


def test_z_path_is_spherical_through_the_keyframes():
    a, b = np.array([[3.0, 0.0, 0.0], [0.0, 2.0, 0.0]], np.float32)
    frames = z_path(np.stack([a, b]), steps=4, loop=False)
    assert frames.shape == (5, 3)
    np.testing.assert_allclose(np.linalg.norm(frames, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(frames[0], [1, 0, 0], atol=1e-6)
    np.testing.assert_allclose(frames[-1], [0, 1, 0], atol=1e-6)
    angle = np.pi / 2 * 0.25  # a quarter of the way along the quarter circle
    np.testing.assert_allclose(frames[1], [np.cos(angle), np.sin(angle), 0], atol=1e-6)


def test_w_path_is_linear_through_the_keyframes():
    ws = np.random.RandomState(0).randn(3, 4, 2).astype(np.float32)
    frames = w_path(ws, steps=4, loop=True)
    assert frames.shape == (12, 4, 2)
    np.testing.assert_allclose(frames[0], ws[0])
    np.testing.assert_allclose(frames[6], (ws[1] + ws[2]) / 2, atol=1e-6)
    np.testing.assert_allclose(frames[11], ws[2] + 0.75 * (ws[0] - ws[2]), atol=1e-6)
