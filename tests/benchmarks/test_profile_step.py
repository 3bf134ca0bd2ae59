"""The profile's bookkeeping: an event's own time, and which group and part of the step an op belongs to."""

from benchmarks.profile_step import group_of, part_of, self_times


def test_an_events_own_time_excludes_the_events_nested_in_it_at_any_depth():
    # (start, duration, name) in picoseconds, on one thread. Worked by hand:
    # A [0, 100) holds B [10, 40) and C [50, 60); B holds E [12, 20); D [200, 210) stands alone;
    # F and G start together, G the shorter, so G is inside F.
    events = [(200, 10, "D"), (12, 8, "E"), (0, 100, "A"), (50, 10, "C"), (10, 30, "B"), (300, 20, "G"),
              (300, 50, "F")]
    assert dict(self_times(events)) == {"A": 100 - 30 - 10, "B": 30 - 8, "E": 8, "C": 10, "D": 10,
                                        "F": 50 - 20, "G": 20}


def test_op_types_fall_into_the_groups_that_matter_for_mfu():
    assert group_of("_MklNativeConv2DBackpropFilter") == "matrix"
    assert group_of("Conv2DBackpropInput") == "matrix"
    assert group_of("_MklNativeFusedMatMul") == "matrix"
    assert group_of("_MklNativeDepthwiseConv2dNativeBackpropInput") == "depthwise"
    assert group_of("Cast") == "cast"
    assert group_of("Mul") == "other"


def test_ops_are_assigned_to_the_part_of_the_step_their_name_scope_says():
    prefix = "StatefulPartitionedCall/"
    assert part_of(prefix + "gradient_tape/discriminator_1/b16_1/conv1_down_1/Conv2DBackpropFilter") == "backward"
    assert part_of(prefix + "adam/Mul_3") == "optimizer"
    assert part_of(prefix + "generator_1/synthesis_1/b8_1/conv0_up_1/adain_1/mul") == "G forward"
    assert part_of(prefix + "discriminator_5/b16_1/conv1_down_1/Conv2D") == "D forward"
    assert part_of("AddN_25") == "other"
