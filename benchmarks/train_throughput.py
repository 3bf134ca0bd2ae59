"""Training throughput of StyleGAN.train_step on this machine: img/s, sec/kimg and peak memory.

Each (resolution, precision) runs in its own process so that peak memory (ru_maxrss) is its own. The
networks use the quickstart widths (configs/quickstart.flags) and train one stage at the given
resolution (alpha 1) on synthetic images, after warm-up steps that include tracing.

    python -m benchmarks.train_throughput                       # 16, 32, 64 px x float32, bfloat16
    python -m benchmarks.train_throughput --resolutions=32 --precisions=bfloat16 --steps=20
Prints one JSON document: the machine and, per configuration, the fastest of ``--repeats`` interleaved runs
(other processes on the machine lower the figures; each record has the 1-minute load average at its end and
the img/s of every run).
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICKSTART_WIDTHS = dict(latent_size=64, dlatent_size=64, mapping_layers=4, mapping_fmaps=64, fmap_base=1024,
                         fmap_max=64)


def machine():
    """CPU model, cores, bfloat16-relevant CPU flags and library versions."""
    import keras
    import tensorflow as tf

    model, cpu_flags = platform.processor(), set()
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                cpu_flags = set(line.split(":", 1)[1].split())
    return {"cpu": model, "cores": os.cpu_count(),
            "bf16_flags": sorted(cpu_flags & {"avx512_bf16", "amx_bf16", "amx_tile", "avx512f"}),
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
            "tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()}


def measure(resolution, precision, batch, steps, warmup):
    """Train ``warmup + steps`` steps at one stage; time the last ``steps``."""
    import keras
    import tensorflow as tf

    from keras_stylegan import ArchitectureConfig, Discriminator, Generator
    from keras_stylegan.training.model import StyleGAN
    from keras_stylegan.training.precision import resolve_policy
    from keras_stylegan.training.schedule import ProgressiveSchedule

    keras.mixed_precision.set_global_policy(resolve_policy(precision))
    arch = ArchitectureConfig(resolution=resolution, **QUICKSTART_WIDTHS)
    schedule = ProgressiveSchedule(final_resolution=resolution, start_resolution=resolution, minibatch_base=batch)
    model = StyleGAN(Generator(arch), Discriminator(arch), schedule)
    adam = lambda: keras.optimizers.Adam(0.001, beta_1=0.0, beta_2=0.99, epsilon=1e-8)  # noqa: E731
    model.compile(g_optimizer=adam(), d_optimizer=adam())
    model.set_stage(resolution, batch)
    images = tf.random.uniform([batch, resolution, resolution, 3], -1.0, 1.0)
    data = tf.data.Dataset.from_tensors(images).repeat()
    start = time.time()
    model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0)
    warmup_seconds = time.time() - start
    start = time.time()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.time() - start
    return {"resolution": resolution, "precision": precision, "policy": keras.mixed_precision.global_policy().name,
            "batch": batch, "steps": steps, "img_per_sec": round(batch * steps / seconds, 2),
            "sec_per_kimg": round(seconds / (batch * steps / 1000.0), 2),
            "warmup_sec_incl_tracing": round(warmup_seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", default="16,32,64")
    parser.add_argument("--precisions", default="float32,bfloat16")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration; the fastest is reported")
    parser.add_argument("--one", default="", help="internal: RESOLUTION,PRECISION measured in this process")
    args = parser.parse_args()
    if args.one:
        resolution, precision = args.one.split(",")
        print(json.dumps(measure(int(resolution), precision, args.batch, args.steps, args.warmup)))
        return
    configs = [(r, p) for r in args.resolutions.split(",") for p in args.precisions.split(",")]
    runs = {config: [] for config in configs}
    for _ in range(args.repeats):  # interleaved, so that a busy spell of the machine hits every configuration
        for resolution, precision in configs:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.train_throughput", f"--one={resolution},{precision}",
                 f"--batch={args.batch}", f"--steps={args.steps}", f"--warmup={args.warmup}"],
                capture_output=True, text=True, check=True, cwd=REPO, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
            runs[(resolution, precision)].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[(resolution, precision)][-1]), file=sys.stderr)
    results = []
    for config in configs:
        best = max(runs[config], key=lambda record: record["img_per_sec"])
        results.append({**best, "img_per_sec_all_runs": [record["img_per_sec"] for record in runs[config]],
                        "peak_rss_mb": max(record["peak_rss_mb"] for record in runs[config])})
    print(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
