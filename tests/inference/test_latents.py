"""Seeds as users write them, NVIDIA's z for a seed, and one-hot labels for a class."""

import numpy as np
import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.inference.latents import class_labels, count_seeds, latents_for_seeds, parse_seeds


def test_seeds_are_ranges_and_single_seeds_in_order():
    assert parse_seeds("0-3,85") == [0, 1, 2, 3, 85]
    assert parse_seeds("7") == [7]
    assert parse_seeds("5-5, 2") == [5, 2]
    assert len(parse_seeds("0-35,85")) == 37


def test_seeds_are_counted_without_listing_them_and_overlaps_count_once():
    assert count_seeds("0-4294967295") == 2**32  # listing these would take 100+ GB
    assert count_seeds("0-9,5-14,3,20") == 16  # 0..14 and 20, by hand
    rng = np.random.default_rng(0)
    for _ in range(20):
        text = ",".join(f"{a}-{a + rng.integers(0, 6)}" for a in rng.integers(0, 30, 4))
        assert count_seeds(text) == len(set(parse_seeds(text))), text


@pytest.mark.parametrize("text", ["", "a", "1-", "-3", "3-1", "1.5", "0-4294967296", "1,,2"])
def test_malformed_seeds_are_one_clear_error(text):
    with pytest.raises(UserError, match=r"--seeds=.*(not a seed or a range A-B|A <= B)"):
        parse_seeds(text)


def test_z_for_a_seed_is_nvidias_randomstate_draw():
    z = latents_for_seeds([0, 5], 512)
    assert z.shape == (2, 512) and z.dtype == np.float32
    assert z[0, 0] == np.float32(1.764052345967664)  # the first standard normal of RandomState(0)
    np.testing.assert_array_equal(z[1], np.random.RandomState(5).randn(512).astype(np.float32))


def test_labels_are_one_hot_for_a_conditional_network_and_none_otherwise():
    np.testing.assert_array_equal(class_labels(2, 4, 2), [[0, 0, 1, 0], [0, 0, 1, 0]])
    assert class_labels(None, 0, 3) is None


@pytest.mark.parametrize("class_index, label_size, named", [
    (1, 0, r"--class=1 given, but the network is unconditional \(label_size 0\): leave --class out"),
    (None, 4, r"conditional with 4 classes and no --class given: give --class=C with 0 <= C < 4"),
    (4, 4, r"--class=4 is out of range: give --class=C with 0 <= C < 4"),
    (-1, 4, r"--class=-1 is out of range"),
])
def test_class_problems_are_one_clear_error(class_index, label_size, named):
    with pytest.raises(UserError, match=named):
        class_labels(class_index, label_size, 1)
