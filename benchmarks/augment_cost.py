"""What augmenting D's images costs in a training step: DiffAugment and ADA against no augmentation.

For each resolution, one process builds the quickstart's networks (configs/quickstart.flags widths) once per
method, warms each up, then times ``--steps`` training steps of every method in turn, ``--rounds`` times
(interleaved, so that a busy spell of the machine hits every method). ADA runs at a fixed strength
``--ada_p`` (default 0.8, the cap of the adaptive p: the most images transformed, the dearest case; at p = 0 no
image is resampled). The augmentation's cost is the step time beyond the "none" step: on a shared machine the
fastest round of each method is its least disturbed measurement, so the overhead is the ratio of the minima (the
median of the per-round ratios is printed too). The process's CPU time per step (all its threads) is recorded
beside the wall time: other processes on the cores stretch the wall time much more than it.

    python -m benchmarks.augment_cost --resolutions=16,32 --steps=10 --rounds=10

Prints JSON lines: the machine, then one record per resolution with every round's sec/step per method, the
median ratios and the load average before and after.
"""

import argparse
import json
import statistics
import time

from benchmarks.train_throughput import build_training, load_average, machine

METHODS = ("none", "diffaug", "ada")


def measure(resolution, precision, batch, steps, rounds, ada_p):
    from keras_stylegan.augment import AugmentConfig

    configs = {"none": AugmentConfig(), "diffaug": AugmentConfig(augment="diffaug"),
               "ada": AugmentConfig(augment="ada", augment_p=ada_p)}
    record = {"resolution": resolution, "precision": precision, "batch": batch, "steps": steps, "ada_p": ada_p,
              "load_before": load_average()}
    runs = {}
    for method, config in configs.items():
        model, data, _, _ = build_training("quickstart", resolution, precision, "logistic", 1, False, batch,
                                           augment=config)
        model.fit(data, steps_per_epoch=3, epochs=1, verbose=0)  # tracing and warm-up
        runs[method] = (model, data)
    seconds = {method: [] for method in configs}
    cpu_seconds = {method: [] for method in configs}
    for _ in range(rounds):
        for method, (model, data) in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
            seconds[method].append(round((time.perf_counter() - start) / steps, 4))
            cpu_seconds[method].append(round((time.process_time() - start_cpu) / steps, 4))
    record["load_after"] = load_average()
    record["sec_per_step"] = seconds
    record["cpu_sec_per_step"] = cpu_seconds
    for method in ("diffaug", "ada"):
        ratios = [a / b for a, b in zip(seconds[method], seconds["none"])]
        record[f"{method}_overhead"] = round(min(seconds[method]) / min(seconds["none"]) - 1.0, 4)
        record[f"{method}_overhead_median_of_rounds"] = round(statistics.median(ratios) - 1.0, 4)
        record[f"{method}_cpu_overhead"] = round(min(cpu_seconds[method]) / min(cpu_seconds["none"]) - 1.0, 4)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", default="16,32")
    parser.add_argument("--precision", default="auto", help="auto, float32 or bfloat16")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per method and round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--ada_p", type=float, default=0.8, help="ADA's fixed strength")
    args = parser.parse_args()
    print(json.dumps({"machine": machine(), "load_average": load_average()}), flush=True)
    for resolution in (int(r) for r in args.resolutions.split(",") if r):
        print(json.dumps(measure(resolution, args.precision, args.batch, args.steps, args.rounds, args.ada_p)),
              flush=True)


if __name__ == "__main__":
    main()
