"""DiffAugment (Zhao et al. 2020): each policy's effect on known images, worked out in numpy; the random draws in
their ranges; gradients that are the exact adjoint of the (linear) geometric policies."""

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan.augment import diffaugment as da


def _images(batch=4, size=8, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (batch, size, size, channels)).astype(np.float32)


def test_colour_transformations_match_their_formulas():
    x = _images()
    b, s, c = np.array([0.3, -0.5, 0.0, 0.49], np.float32), np.array([0.0, 1.0, 1.7, 0.4], np.float32), \
        np.array([0.5, 1.0, 1.49, 0.8], np.float32)
    np.testing.assert_allclose(da.adjust_brightness(x, b), x + b[:, None, None, None], atol=1e-6)
    for i in range(4):
        grey = x[i].mean(axis=2, keepdims=True)  # the mean of each pixel's channels
        np.testing.assert_allclose(da.adjust_saturation(x, s)[i], grey + s[i] * (x[i] - grey), atol=1e-6)
        mean = x[i].mean()  # the image's mean over rows, columns and channels
        np.testing.assert_allclose(da.adjust_contrast(x, c)[i], mean + c[i] * (x[i] - mean), atol=1e-6)
    # saturation 0 leaves grey pixels, saturation 1 and contrast 1 the image itself
    assert np.ptp(da.adjust_saturation(x, s).numpy()[0], axis=2).max() < 1e-6
    np.testing.assert_allclose(da.adjust_saturation(x, s)[1], x[1], atol=1e-6)


def _moved(image, dx, dy):
    """``image`` [H, W, C] moved dx pixels right and dy down, zeros where nothing moved in (by hand)."""
    out = np.zeros_like(image)
    height, width = image.shape[:2]
    for i in range(height):
        for j in range(width):
            if 0 <= i - dy < height and 0 <= j - dx < width:
                out[i, j] = image[i - dy, j - dx]
    return out


def test_a_translation_moves_every_pixel_by_the_offset_and_fills_zeros():
    x = _images(batch=2)
    dx, dy = [2, -1], [-3, 1]
    y = da.translate(tf.constant(x), dx, dy).numpy()
    for n in range(2):
        np.testing.assert_array_equal(y[n], _moved(x[n], dx[n], dy[n]))


def test_cutout_zeroes_the_square_and_nothing_else():
    x = _images(batch=3) + 2.0  # no zero pixel before the cutout
    top, left = np.array([2, -2, 5], np.int32), np.array([1, 6, -1], np.int32)
    y = da.cutout(tf.constant(x), top, left, 4).numpy()
    for n in range(3):
        inside = np.zeros((8, 8), bool)
        inside[max(top[n], 0):top[n] + 4, max(left[n], 0):left[n] + 4] = True
        assert (y[n][inside] == 0).all()
        np.testing.assert_array_equal(y[n][~inside], x[n][~inside])
    assert (y[1] == 0).all(axis=2).sum() == 2 * 2  # the square hangs over the top right corner


def _shift_of(augmented, original, largest):
    """The (dx, dy) translation of ``original`` that gives ``augmented``, or None."""
    for dy in range(-largest, largest + 1):
        for dx in range(-largest, largest + 1):
            if np.array_equal(_moved(original, dx, dy), augmented):
                return dx, dy
    return None


def test_random_translations_are_whole_pixels_within_an_eighth_of_the_image():
    x = _images(batch=64, size=16, seed=1)
    y = da.diffaugment(x, ("translation",), tf.random.Generator.from_seed(3)).numpy()
    shifts = [_shift_of(y[n], x[n], 2) for n in range(64)]
    assert None not in shifts  # every image is one of the 5 x 5 shifts by at most 16 / 8 = 2 pixels
    assert len(set(shifts)) >= 15


def test_random_cutout_is_one_half_size_square_centred_in_the_image():
    x = _images(batch=64, size=16, seed=2) + 2.0
    y = da.diffaugment(x, ("cutout",), tf.random.Generator.from_seed(4)).numpy()
    centres = set()
    for n in range(64):
        zero = (y[n] == 0).all(axis=2)
        rows, cols = np.nonzero(zero.any(axis=1))[0], np.nonzero(zero.any(axis=0))[0]
        assert zero[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].all() and zero.sum() == len(rows) * len(cols)
        assert 4 <= len(rows) <= 8 and 4 <= len(cols) <= 8  # an 8 x 8 square, at most half outside
        # an 8-pixel side whose part outside the image is on the side it touches
        assert len(rows) == 8 or rows[0] == 0 or rows[-1] == 15
        assert len(cols) == 8 or cols[0] == 0 or cols[-1] == 15
        centres.add((rows[0], cols[0]))
    assert len(centres) > 20


def test_random_colour_stays_within_the_drawn_ranges():
    x = np.zeros((32, 4, 4, 3), np.float32)  # a grey image: only the brightness shows
    y = da.diffaugment(x, ("color",), tf.random.Generator.from_seed(5)).numpy()
    offsets = y[:, 0, 0, 0]
    assert np.allclose(y, offsets[:, None, None, None], atol=1e-6)
    assert -0.5 <= offsets.min() < -0.3 and 0.3 < offsets.max() < 0.5


@pytest.mark.parametrize("policy", [("color",), ("translation",), ("cutout",), da.POLICIES])
def test_gradients_flow_through_every_policy(policy):
    x = tf.constant(_images(batch=4, size=16, seed=3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = da.diffaugment(x, policy, tf.random.Generator.from_seed(6))
        loss = tf.reduce_sum(y * tf.random.stateless_normal(y.shape, [1, 2]))
    grad = tape.gradient(loss, x).numpy()
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0


def test_the_gradient_of_the_geometric_policies_is_their_exact_adjoint():
    """<A x, w> = <x, A^T w>: the gradient of <A x, w> with respect to x, computed by TensorFlow, must be A^T w."""
    rng = np.random.default_rng(4)
    x, w = tf.constant(_images(batch=4, size=8, seed=5)), tf.constant(rng.normal(size=(4, 8, 8, 3)).astype(np.float32))
    for apply in (lambda v: da.translate(v, [2, -1, 0, 1], [-3, 1, 1, 0]),
                  lambda v: da.cutout(v, [2, -2, 5, 0], [1, 6, -1, 3], 4)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            inner = tf.reduce_sum(apply(x) * w)
        adjoint = tape.gradient(inner, x)
        assert float(inner) == pytest.approx(float(tf.reduce_sum(x * adjoint)), rel=1e-5)
        assert float(tf.reduce_sum(apply(w) * x)) != pytest.approx(0.0)


def test_bfloat16_images_come_out_float32():
    y = da.diffaugment(tf.constant(_images(), tf.bfloat16), da.POLICIES, tf.random.Generator.from_seed(7))
    assert y.dtype == tf.float32 and np.isfinite(y.numpy()).all()


def test_policy_names_are_checked():
    assert da.parse_policy("color, cutout") == ("color", "cutout")
    assert da.parse_policy("") == ()
    with pytest.raises(ValueError, match=r"unknown DiffAugment policies \['colour'\]"):
        da.parse_policy("colour,translation")
    with pytest.raises(ValueError, match="named twice"):
        da.parse_policy("cutout,cutout")
