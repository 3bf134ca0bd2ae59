"""ADA's bgc pipeline (Karras et al. 2020): geometric transformations move known images as worked out in numpy
(reflection at the borders from np.pad's "symmetric" mode), the colour matrices match their formulas, p = 0 is the
identity, the draws keep their ranges, and the gradient is the exact adjoint."""

import math

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.augment import ada, geometry


def _images(batch=3, size=8, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (batch, size, size, channels)).astype(np.float32)


def _warp(x, inverse):
    return geometry.warp(tf.constant(x), tf.constant(np.asarray(inverse, np.float32))).numpy()


def _batch(matrix, batch=3):
    return np.tile(np.asarray(matrix, np.float32), (batch, 1, 1))


def test_an_integer_translation_moves_pixels_by_the_offset_with_reflection_at_the_borders():
    x = _images()
    dx, dy = 3, -2  # the content moves 3 px right and 2 px up: the inverse maps output q to q - (dx, dy)
    y = _warp(x, _batch([[1, 0, -dx], [0, 1, -dy], [0, 0, 1]]))
    padded = np.pad(x, [(0, 0), (8, 8), (8, 8), (0, 0)], mode="symmetric")  # x[-1] = x[0]: mirrored about the edge
    np.testing.assert_array_equal(y, padded[:, 8 - dy:16 - dy, 8 - dx:16 - dx])
    # far beyond the image the reflection repeats with period 2 x size
    y = _warp(x, _batch([[1, 0, -19], [0, 1, 0], [0, 0, 1]]))
    np.testing.assert_array_equal(y, np.pad(x, [(0, 0), (0, 0), (24, 0), (0, 0)], mode="symmetric")[:, :, 5:13])


def test_flips_and_quarter_turns_are_exact_pixel_permutations():
    x = _images()
    np.testing.assert_array_equal(_warp(x, _batch(np.diag([-1, 1, 1]))), x[:, :, ::-1])
    np.testing.assert_array_equal(_warp(x, _batch(np.diag([1, -1, 1]))), x[:, ::-1])
    for turns in range(4):
        forward = geometry.quarter_turn(tf.constant([turns] * 3))
        y = geometry.warp(x, tf.linalg.inv(forward)).numpy()
        np.testing.assert_array_equal(y, np.rot90(x, -turns, axes=(1, 2)))  # y down: clockwise on screen


def test_a_half_pixel_translation_averages_neighbours_and_a_rotation_keeps_a_flat_image_flat():
    x = _images()
    y = _warp(x, _batch([[1, 0, -0.5], [0, 1, 0], [0, 0, 1]]))
    np.testing.assert_allclose(y[:, :, 1:], (x[:, :, 1:] + x[:, :, :-1]) / 2, atol=1e-6)
    np.testing.assert_allclose(y[:, :, 0], x[:, :, 0], atol=1e-6)  # the reflection repeats the edge pixel
    flat = np.full((2, 8, 8, 3), 0.25, np.float32)
    for theta in (0.3, 1.0, 2.5):
        inverse = geometry.rotate(tf.constant([-theta, theta])) @ geometry.scale(tf.constant([0.7, 1.6]),
                                                                                   tf.constant([1.3, 0.5]))
        np.testing.assert_allclose(geometry.warp(flat, inverse).numpy(), 0.25, atol=1e-6)


def test_a_rotated_point_lands_where_the_rotation_sends_it():
    x = np.zeros((1, 16, 16, 1), np.float32)
    x[0, 3, 11] = 1.0  # centre (11.5, 3.5): (3.5, -4.5) from the image centre
    theta = math.pi / 3
    y = geometry.warp(x, geometry.rotate(tf.constant([-theta]))).numpy()[0, :, :, 0]
    rows, cols = np.mgrid[0:16, 0:16] + 0.5
    centre = ((cols * y).sum() / y.sum() - 8.0, (rows * y).sum() / y.sum() - 8.0)
    expected = (3.5 * math.cos(theta) + 4.5 * math.sin(theta), 3.5 * math.sin(theta) - 4.5 * math.cos(theta))
    np.testing.assert_allclose(centre, expected, atol=0.15)
    assert y.sum() == pytest.approx(1.0, abs=0.05)  # bilinear lookups of a rotation keep the mass


def _colour(matrix):
    return ada.apply_color(tf.constant(_COLOURS), matrix).numpy()


_COLOURS = _images(batch=4, size=4, seed=1)
_LUMA = np.ones(3) / math.sqrt(3.0)


def test_brightness_and_contrast_match_their_formulas():
    b, c = np.array([0.2, -0.3, 0.0, 1.0], np.float32), np.array([0.5, 2.0, 1.0, 0.9], np.float32)
    np.testing.assert_allclose(_colour(ada.brightness(b)), _COLOURS + b[:, None, None, None], atol=1e-6)
    np.testing.assert_allclose(_colour(ada.contrast(c)), _COLOURS * c[:, None, None, None], atol=1e-6)


def test_luma_flip_reflects_through_the_plane_orthogonal_to_the_luma_axis():
    y = _colour(ada.luma_flip(tf.constant([1.0, 0.0, 1.0, 0.0])))
    grey = _COLOURS.mean(axis=3, keepdims=True)
    np.testing.assert_allclose(y[0::2], _COLOURS[0::2] - 2 * grey[0::2], atol=1e-6)  # c - 2 (c . v) v
    np.testing.assert_array_equal(y[1::2], _COLOURS[1::2])


def _luma_and_chroma(colours):
    luma = colours @ _LUMA
    return luma, colours - luma[..., None] * _LUMA


def test_hue_rotation_turns_the_chroma_by_the_angle_and_keeps_the_luma():
    theta = np.array([0.5, -2.0, math.pi, 0.0], np.float32)
    y = _colour(ada.hue_rotation(theta))
    luma_in, chroma_in = _luma_and_chroma(_COLOURS)
    luma_out, chroma_out = _luma_and_chroma(y)
    np.testing.assert_allclose(luma_out, luma_in, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(chroma_out, axis=-1), np.linalg.norm(chroma_in, axis=-1), atol=1e-5)
    cos = (chroma_in * chroma_out).sum(-1) / (np.linalg.norm(chroma_in, axis=-1) ** 2)
    sin = (np.cross(chroma_in, chroma_out) @ _LUMA) / (np.linalg.norm(chroma_in, axis=-1) ** 2)  # about +v
    np.testing.assert_allclose(cos, np.cos(theta)[:, None, None] * np.ones_like(cos), atol=1e-4)
    np.testing.assert_allclose(sin, np.sin(theta)[:, None, None] * np.ones_like(sin), atol=1e-4)


def test_saturation_scales_the_chroma_and_keeps_the_luma():
    s = np.array([0.0, 0.5, 1.0, 3.0], np.float32)
    y = _colour(ada.saturation(s))
    luma_in, chroma_in = _luma_and_chroma(_COLOURS)
    luma_out, chroma_out = _luma_and_chroma(y)
    np.testing.assert_allclose(luma_out, luma_in, atol=1e-5)
    np.testing.assert_allclose(chroma_out, chroma_in * s[:, None, None, None], atol=1e-5)
    np.testing.assert_array_equal(y[2], _COLOURS[2])  # s = 1 is exactly the identity


def test_a_grey_image_is_transformed_as_its_grey_colour():
    grey = _images(batch=2, size=4, channels=1, seed=2)
    matrix = ada.contrast(tf.constant([2.0, 1.0])) @ ada.brightness(tf.constant([0.1, 0.0])) @ \
        ada.luma_flip(tf.constant([0.0, 1.0]))
    y = ada.apply_color(tf.constant(grey), matrix).numpy()
    np.testing.assert_allclose(y[0], 2.0 * (grey[0] + 0.1), atol=1e-6)
    np.testing.assert_allclose(y[1], -grey[1], atol=1e-6)  # (x, x, x) reflected: (-x, -x, -x)


def test_p_zero_is_the_identity_and_p_one_transforms_every_image():
    x = _images(batch=16, size=16)
    np.testing.assert_array_equal(ada.ada_augment(x, 0.0, tf.random.Generator.from_seed(1)).numpy(), x)
    y = ada.ada_augment(x, 1.0, tf.random.Generator.from_seed(1)).numpy()
    assert np.isfinite(y).all() and (np.abs(y - x).reshape(16, -1).max(axis=1) > 1e-3).all()


def test_the_draws_keep_their_ranges_and_probabilities():
    rng = tf.random.Generator.from_seed(2)
    batch, p = 4000, 0.3
    draws = ada.Draws.draw(rng, batch)
    inverse = ada.geometric_inverse(draws, tf.constant(p), 32, 32).numpy()
    identity = np.all(inverse == np.eye(3, dtype=np.float32), axis=(1, 2))
    # An image keeps the identity when it draws no x-flip (or draws one that does not flip: 1/2), no quarter turn
    # (or 0 turns: 1/4), no integer translation (or one that rounds to 0 px on both axes: (1/64 / (1/8))^2), no
    # scaling, anisotropy or fractional translation, and neither rotation (each 1 - sqrt(1 - p): together p).
    expected = (1 - p / 2) * (1 - 3 * p / 4) * (1 - p * (1 - (1 / 8) ** 2)) * (1 - p) ** 4
    assert identity.mean() == pytest.approx(expected, abs=0.02)
    colour = ada.color_matrix(draws, tf.constant(p)).numpy()
    assert np.all(colour == np.eye(4, dtype=np.float32), axis=(1, 2)).mean() == pytest.approx(
        (1 - p) ** 4 * (1 - p / 2), abs=0.02)  # the luma flip's draw flips half the time
    none = ada.geometric_inverse(draws, tf.constant(0.0), 32, 32).numpy()
    np.testing.assert_array_equal(none, np.tile(np.eye(3, dtype=np.float32), (batch, 1, 1)))
    full = ada.geometric_inverse(draws, tf.constant(1.0), 32, 32).numpy()
    assert np.isfinite(full).all()
    # |det| of the inverse is 1 / s^2 (flips, turns, rotations and the anisotropy have |det| 1): log2 s ~ N(0, 0.2^2)
    log2_scale = -0.5 * np.log2(np.abs(np.linalg.det(full[:, :2, :2])))
    assert np.mean(log2_scale) == pytest.approx(0.0, abs=0.02) and np.std(log2_scale) == pytest.approx(0.2, abs=0.01)
    # an image that drew the integer translation and no other geometric transformation: its inverse is a pure
    # translation by whole pixels, at most 32 / 8 = 4
    only_xint = draws.applies("xint", p).numpy() & ~np.any(np.stack([
        draws.applies(name, p).numpy() for name in ("xflip", "rotate90", "scale", "aniso", "xfrac")]), axis=0) & \
        ~draws.applies("rotate", 1 - np.sqrt(1 - p)).numpy() & ~draws.applies("rotate2", 1 - np.sqrt(1 - p)).numpy()
    shifts = -inverse[only_xint][:, :2, 2]
    np.testing.assert_array_equal(inverse[only_xint][:, :2, :2], np.tile(np.eye(2), (only_xint.sum(), 1, 1)))
    assert only_xint.sum() > 100 and np.array_equal(shifts, np.round(shifts)) and np.abs(shifts).max() == 4


def test_gradients_flow_and_are_the_exact_adjoint():
    x = tf.constant(_images(batch=4, size=8, seed=4))
    w = tf.constant(np.random.default_rng(5).normal(size=(4, 8, 8, 3)).astype(np.float32))
    draws = ada.Draws.draw(tf.random.Generator.from_seed(6), 4)
    inverse = ada.geometric_inverse(draws, tf.constant(1.0), 8, 8)
    colour = ada.color_matrix(draws, tf.constant(1.0))

    def augment(v):
        return ada.apply_color(geometry.warp(v, inverse), colour) - colour[:, None, None, :3, 3]  # the linear part

    with tf.GradientTape() as tape:
        tape.watch(x)
        inner = tf.reduce_sum(augment(x) * w)
    adjoint = tape.gradient(inner, x)
    assert np.isfinite(adjoint.numpy()).all() and float(tf.reduce_sum(tf.abs(adjoint))) > 0
    assert float(inner) == pytest.approx(float(tf.reduce_sum(x * adjoint)), rel=1e-4)
    with tf.GradientTape() as tape:  # the whole pipeline, as the train step runs it
        tape.watch(x)
        loss = tf.reduce_sum(ada.ada_augment(x, 0.8, tf.random.Generator.from_seed(7)) * w)
    assert float(tf.reduce_sum(tf.abs(tape.gradient(loss, x)))) > 0


def test_every_stage_size_and_bfloat16():
    for size in (4, 8, 16, 32):
        x = tf.constant(_images(batch=4, size=size), tf.bfloat16)
        y = ada.ada_augment(x, 0.9, tf.random.Generator.from_seed(size))
        assert y.dtype == tf.float32 and y.shape == (4, size, size, 3) and np.isfinite(y.numpy()).all()
