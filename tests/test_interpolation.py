import numpy as np

from keras_stylegan.interpolation import lerp, slerp


def test_lerp_ends_and_midpoint():
    a, b = np.array([1.0, -2.0], np.float32), np.array([3.0, 4.0], np.float32)
    np.testing.assert_allclose(lerp(a, b, 0.0), a)
    np.testing.assert_allclose(lerp(a, b, 1.0), b)
    np.testing.assert_allclose(lerp(a, b, 0.25), [1.5, -0.5])


def test_slerp_follows_the_great_circle():
    a = np.array([[2.0, 0.0, 0.0]], np.float32)
    b = np.array([[0.0, 0.0, 5.0]], np.float32)
    for t in (0.0, 0.3, 0.5, 1.0):
        angle = t * np.pi / 2  # by hand: the unit vector at angle t * 90 degrees from x towards z
        np.testing.assert_allclose(slerp(a, b, t).numpy(), [[np.cos(angle), 0.0, np.sin(angle)]], atol=1e-6)
