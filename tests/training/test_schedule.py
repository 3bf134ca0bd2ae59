"""ProgressiveSchedule against values worked out by hand from the official formula."""

import pytest
import tensorflow as tf

from keras_stylegan.training.schedule import ProgressiveSchedule

# final 1024 (log2 10), start 8 (log2 3), 600 kimg stable + 600 kimg fade per phase:
# lod = 7 - phase_idx - max(phase_kimg - 600, 0) / 600.
HAND = [  # images_seen, lod, resolution, alpha
    (0, 7.0, 8, 1.0),
    (599_000, 7.0, 8, 1.0),
    (600_000, 7.0, 8, 1.0),       # last image of the stable 8 px phase
    (750_000, 6.75, 16, 0.25),    # 150 of 600 kimg into the 16 px fade-in
    (900_000, 6.5, 16, 0.5),
    (1_200_000, 6.0, 16, 1.0),    # phase 1 starts: 16 px stable
    (1_799_000, 6.0, 16, 1.0),
    (2_100_000, 5.5, 32, 0.5),
    (8_400_000, 0.0, 1024, 1.0),  # phase 7: lod reaches 0
    (20_000_000, 0.0, 1024, 1.0),  # clipped at 0
]


@pytest.fixture
def schedule():
    return ProgressiveSchedule(final_resolution=1024, start_resolution=8, lod_training_kimg=600.0,
                               lod_transition_kimg=600.0, total_kimg=25000.0)


@pytest.mark.parametrize("images_seen,lod,resolution,alpha", HAND)
def test_lod_resolution_alpha_by_hand(schedule, images_seen, lod, resolution, alpha):
    assert schedule.lod(images_seen) == pytest.approx(lod, abs=1e-12)
    assert schedule.resolution(images_seen) == resolution
    assert schedule.alpha(images_seen) == pytest.approx(alpha, abs=1e-12)


@pytest.mark.parametrize("images_seen,lod,resolution,alpha", HAND)
def test_alpha_tensor_matches_hand_values_at_the_scheduled_stage(
        schedule, images_seen, lod, resolution, alpha):
    got = schedule.alpha_tensor(tf.constant(images_seen, tf.int64), resolution)
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(alpha, abs=1e-6)


def test_alpha_tensor_at_neighbouring_stages(schedule):
    # 900 kimg: halfway through the 16 px fade-in. The 8 px graph is stable, 32 px not faded in.
    seen = tf.constant(900_000, tf.int64)
    assert float(schedule.alpha_tensor(seen, 8)) == 1.0
    assert float(schedule.alpha_tensor(seen, 32)) == 0.0
    # Exactly at 600 kimg the 16 px graph (alpha 0) computes the same function as the 8 px one.
    assert float(schedule.alpha_tensor(tf.constant(600_000, tf.int64), 16)) == 0.0


def test_just_after_a_boundary_the_fade_in_starts(schedule):
    assert schedule.resolution(600_001) == 16
    assert schedule.alpha(600_001) == pytest.approx(1 / 600_000, rel=1e-6)


def test_phase_end_is_first_image_count_at_the_next_resolution(schedule):
    assert schedule.phase_end(0) == 600_001
    assert schedule.phase_end(600_000) == 600_001
    assert schedule.phase_end(600_001) == 1_800_001   # 16 px: fade-in + stable phase
    assert schedule.phase_end(1_000_000) == 1_800_001
    # 1024 px starts after 6 * 1200 + 600 kimg and runs to the end.
    assert schedule.phase_end(7_800_001) == 25_000_000
    for seen in (0, 123_456, 600_001, 1_800_001, 3_000_000):
        end = schedule.phase_end(seen)
        assert schedule.resolution(end - 1) == schedule.resolution(seen)
        assert schedule.resolution(end) == 2 * schedule.resolution(seen)


def test_phase_end_capped_by_total_kimg():
    s = ProgressiveSchedule(final_resolution=32, start_resolution=8, lod_training_kimg=1.0,
                            lod_transition_kimg=1.0, total_kimg=1.5)
    assert s.phase_end(0) == 1001
    assert s.phase_end(1001) == 1500
    assert s.total_images == 1500


def test_small_fractional_schedule_walk():
    # quickstart-like: 0.3 kimg stable + 0.3 kimg fade; step through in batches of 8.
    s = ProgressiveSchedule(final_resolution=16, start_resolution=4, lod_training_kimg=0.3,
                            lod_transition_kimg=0.3, total_kimg=2.0)
    seen, stages = 0, []
    while seen < s.total_images:
        res, end = s.resolution(seen), s.phase_end(seen)
        assert end > seen
        while seen < end:
            assert s.resolution(seen) == res
            seen += 8
        stages.append(res)
    assert stages == [4, 8, 16]
    # lod at 450 images: phase 0, 150 of 300 images into the fade -> lod 2 - 0.5.
    assert s.lod(450) == pytest.approx(1.5)


def test_no_transition_jumps_resolution():
    s = ProgressiveSchedule(final_resolution=16, start_resolution=4, lod_training_kimg=1.0,
                            lod_transition_kimg=0.0, total_kimg=5.0)
    assert [s.resolution(n) for n in (0, 999, 1000, 1999, 2000)] == [4, 4, 8, 8, 16]
    assert s.phase_end(0) == 1000
    assert all(s.alpha(n) == 1.0 for n in (0, 999, 1000, 2500))


def test_per_resolution_dicts():
    s = ProgressiveSchedule(final_resolution=64, minibatch_base=4, minibatch_dict={8: 32, 16: 16},
                            g_lrate_dict={64: 0.0015}, d_lrate_dict={64: 0.002})
    assert [s.minibatch(r) for r in (8, 16, 32)] == [32, 16, 4]
    assert s.g_lrate(64) == 0.0015 and s.g_lrate(8) == 0.001
    assert s.d_lrate(64) == 0.002 and s.d_lrate(32) == 0.001
    assert s.resolutions == [8, 16, 32, 64]


def test_optimizer_reset_points_follow_official_floor_ceil_rule(schedule):
    # 8 -> 1024 px: lod 7 while 8 px is stable (key 7 + 7), in (6, 7) during the 16 px fade-in
    # (key 6 + 7), 6 once 16 px is stable (key 6 + 6): the key changes where a fade-in starts and ends.
    keys = [schedule.lod_key(n) for n in (0, 599_000, 600_000, 600_032, 700_000, 1_199_990, 1_200_000)]
    assert keys == [14, 14, 14, 13, 13, 13, 12]


@pytest.mark.parametrize("kwargs,match", [
    (dict(final_resolution=48), "final_resolution=48"),
    (dict(start_resolution=2048), "exceeds final_resolution"),
    (dict(minibatch_dict={8: 0}), "minibatch for resolution 8"),
    (dict(lod_training_kimg=0.0, lod_transition_kimg=0.0), "never grow"),
    (dict(total_kimg=0.0), "total_kimg"),
])
def test_bad_arguments_fail_with_a_clear_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ProgressiveSchedule(**kwargs)
