"""Where a training step's time goes: a tf.profiler trace of StyleGAN.train_step, summed by op type.

Builds the same stage as benchmarks/train_throughput.py (one resolution, alpha 1, random images), runs
``--warmup`` untimed steps, then traces ``--steps`` steps with ``tf.profiler.experimental`` and reads the
host trace (XSpace protobuf) back: every TensorFlow op executed is one event named ``name:type`` on the
thread that ran it (function calls, which only wait for the ops they run, are left out). For each op type
it prints the op time per step (the event's own time, minus ops nested inside it), its share of all op
time and how many ran per step; then the groups that matter for MFU: matrix work (convolutions, their
gradients, matmuls), the depthwise blur, dtype casts, and everything else; and the parts of the step by name
scope: forward passes of G and D, backward passes (``gradient_tape``), the optimizer (Adam), the rest.

    python -m benchmarks.profile_step --widths=official --resolution=16 --precision=bfloat16 --steps=3

Prints one JSON object on stdout. Op time is summed over the threads that ran ops (TensorFlow's inter-op
threads), so it can exceed the wall time when two ops run at once; "op_time_vs_wall" says by how much.
"""

import argparse
import collections
import glob
import json
import os
import tempfile
import time

from benchmarks.train_throughput import WIDTHS, best_tflops, build_training, conv_operands, load_average, machine

# Function calls: their events last as long as the ops they run (on other threads), which is waiting.
CALL_OPS = ("Run", "PartitionedCall", "StatefulPartitionedCall")


def group_of(op_type):
    """The MFU-relevant group of an op type: matrix, blur (depthwise), cast or other. Every variant counts:
    TensorFlow's (``Conv2DBackpropFilter``, ``_FusedMatMul``) and oneDNN's (``_MklNativeFusedConv2D``, ...)."""
    if "Depthwise" in op_type:
        return "depthwise"
    if "Conv2D" in op_type or "MatMul" in op_type:
        return "matrix"
    if op_type in ("Cast", "_MklCast"):
        return "cast"
    return "other"


def part_of(op_name):
    """The part of the step an op belongs to, from its name scope: backward, optimizer, G / D forward, other."""
    scope = (op_name.split("/") + [""])[1].lower()  # the first scope inside the train function's call
    for prefix, part in (("gradient_tape", "backward"), ("adam", "optimizer"), ("generator", "G forward"),
                         ("discriminator", "D forward")):
        if scope.startswith(prefix):
            return part
    return "other"


def self_times(events):
    """(name, self picoseconds) of events on one thread: each event's duration minus the events inside it."""
    out, stack = [], []  # stack of [end, name, self]
    for start, duration, name in sorted(events, key=lambda e: (e[0], -e[1])):
        while stack and stack[-1][0] <= start:
            out.append(tuple(stack.pop()[1:]))
        if stack:
            stack[-1][2] -= duration
        stack.append([start + duration, name, duration])
    out.extend(tuple(entry[1:]) for entry in stack)
    return out


def op_times(xspace_path):
    """Self picoseconds and counts of the host plane's TensorFlow op events (``name:type``): per op type
    {type: [ps, count]} and per part of the step {part: ps}."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    with open(xspace_path, "rb") as handle:
        space.ParseFromString(handle.read())
    totals, parts = collections.defaultdict(lambda: [0, 0]), collections.defaultdict(int)
    for plane in space.planes:
        if not plane.name.startswith("/host:"):
            continue
        names = {key: meta.name for key, meta in plane.event_metadata.items()}
        for line in plane.lines:
            events = [(event.offset_ps, event.duration_ps, names.get(event.metadata_id, "")) for event in line.events]
            for name, self_ps in self_times(events):
                if ":" not in name or name.startswith("ThreadPool"):
                    continue
                op_type = name.rsplit(":", 1)[1]
                if not op_type or not (op_type[0].isupper() or op_type[0] == "_") or op_type in CALL_OPS:
                    continue
                totals[op_type][0] += self_ps
                totals[op_type][1] += 1
                parts[part_of(name)] += self_ps
    return totals, parts


def conv_kernel_rates(precision, batch, size, channels):
    """TFLOP/s of a 3x3 ``channels`` -> ``channels`` convolution on a [batch, size, size] input and of its two
    gradients (to the input, to the filter), each in a tf.function as in the train step; all three are
    2 * batch * size^2 * 9 * channels^2 FLOPs."""
    import tensorflow as tf

    x, w = conv_operands(precision, batch, size, channels)
    dy = tf.cast(tf.random.normal(x.shape), x.dtype)
    kernels = {
        "forward": tf.function(lambda: tf.nn.conv2d(x, w, 1, "SAME")),
        "grad_input": tf.function(lambda: tf.raw_ops.Conv2DBackpropInput(
            input_sizes=tf.shape(x), filter=w, out_backprop=dy, strides=[1, 1, 1, 1], padding="SAME")),
        "grad_filter": tf.function(lambda: tf.raw_ops.Conv2DBackpropFilter(
            input=x, filter_sizes=tf.shape(w), out_backprop=dy, strides=[1, 1, 1, 1], padding="SAME")),
    }
    flop = 2 * batch * size * size * 9 * channels * channels
    return {name: round(best_tflops(kernel, flop), 4) for name, kernel in kernels.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="official", choices=sorted(WIDTHS))
    parser.add_argument("--resolution", type=int, default=16, choices=[2**k for k in range(2, 11)])
    parser.add_argument("--precision", default="bfloat16", choices=("float32", "bfloat16", "float16"))
    parser.add_argument("--loss", default="logistic", choices=("logistic", "wgan_gp"))
    parser.add_argument("--r1_interval", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=3, help="traced steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (tracing included)")
    parser.add_argument("--top", type=int, default=15, help="op types listed")
    parser.add_argument("--kernel_channels", type=int, default=0,
                        help="also time a 3x3 conv of this many channels at the stage's resolution and its two "
                             "gradients, in TFLOP/s (0: do not)")
    args = parser.parse_args()

    import tensorflow as tf

    model, data, _, _ = build_training(args.widths, args.resolution, args.precision, args.loss, args.r1_interval,
                                       False, args.batch)
    model.fit(data, steps_per_epoch=args.warmup, epochs=1, verbose=0)
    load_before = load_average()
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=args.steps, epochs=1, verbose=0)
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        paths = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)
        if not paths:
            raise SystemExit("profile_step: error: the profiler wrote no trace (*.xplane.pb)")
        totals, parts = op_times(paths[0])

    per_step_ms = lambda ps: round(ps / 1e9 / args.steps, 2)  # noqa: E731
    all_ps = sum(ps for ps, _ in totals.values())
    groups = collections.defaultdict(int)
    for op_type, (ps, _) in totals.items():
        groups[group_of(op_type)] += ps
    ranked = sorted(totals.items(), key=lambda item: -item[1][0])
    kernels = {}
    if args.kernel_channels:
        kernels = {"conv3x3_tflops": conv_kernel_rates(args.precision, args.batch, args.resolution,
                                                        args.kernel_channels),
                   "kernel_shape": [args.batch, args.resolution, args.resolution, args.kernel_channels]}
    print(json.dumps({
        "machine": machine(), "widths": args.widths, "resolution": args.resolution, "precision": args.precision,
        "loss": args.loss, "r1_interval": args.r1_interval, "batch": args.batch, "steps": args.steps,
        "load_before": load_before, "load_after": load_average(),
        "wall_ms_per_step_traced": round(wall * 1000 / args.steps, 1),
        "op_ms_per_step": per_step_ms(all_ps),
        "op_time_vs_wall": round(all_ps / 1e12 / wall, 3),
        "groups_ms_per_step": {group: per_step_ms(ps) for group, ps in sorted(groups.items())},
        "groups_share": {group: round(ps / all_ps, 3) for group, ps in sorted(groups.items())},
        "parts_ms_per_step": {part: per_step_ms(ps) for part, ps in sorted(parts.items())},
        "parts_share": {part: round(ps / all_ps, 3) for part, ps in sorted(parts.items())},
        "top_op_types": [{"op": op_type, "ms_per_step": per_step_ms(ps), "share": round(ps / all_ps, 3),
                          "count_per_step": round(count / args.steps, 1)} for op_type, (ps, count) in ranked[:args.top]],
        **kernels,
    }, indent=1))


if __name__ == "__main__":
    main()
