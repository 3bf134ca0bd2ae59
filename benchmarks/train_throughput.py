"""Training throughput and model FLOPs utilisation (MFU) of StyleGAN.train_step on this machine.

For every (widths, resolution, precision) it trains one stage at that resolution (alpha 1) on synthetic
images and reports img/s, the model GFLOP per image of one step (keras_stylegan.training.flops: G and D
forward and backward, the penalty, style mixing's second mapping pass, the EMA update), the achieved
TFLOP/s, the peak TFLOP/s of the same dtype measured in the same process (the faster of a large matmul and
a large 3x3 conv2d, best of several timed runs) and their ratio, the MFU. Each measurement runs in its own
process (own peak memory, own peak). ``--widths``: quickstart (configs/quickstart.flags) or official
(NVIDIA's: fmap_base 8192, fmap_max 512, 8 x 512 mapping).

    python -m benchmarks.train_throughput --widths=official --resolutions=16,32
    python -m benchmarks.train_throughput --widths=quickstart,official --resolutions=16,32,64 \\
        --precisions=float32,bfloat16 --loss=wgan_gp --steps=5 --repeats=2

Prints JSON lines on stdout: first the machine ({"machine": ...}), then one line per run ("run") as it
finishes, then one line per configuration ("summary", its fastest run). Every run has the load average
(1, 5, 15 min) before and after its peak measurement and its training measurement: figures taken while
other processes use the cores are not the machine's.
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
WIDTHS = {
    "quickstart": dict(latent_size=64, dlatent_size=64, mapping_layers=4, mapping_fmaps=64, fmap_base=512,
                       fmap_max=64),
    "official": dict(latent_size=512, dlatent_size=512, mapping_layers=8, mapping_fmaps=512, fmap_base=8192,
                     fmap_max=512),
}
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_fp16")
PEAK_DTYPES = {"float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}
PEAK_MIN_SECONDS = 3.0  # time each peak kernel for at least this long (and at least PEAK_MIN_RUNS runs)
PEAK_MIN_RUNS = 3


def machine():
    """CPU model (as lscpu names it), the CPU flags that decide float32 / bfloat16 speed, cores, versions."""
    import keras
    import tensorflow as tf

    model, cpu_flags = platform.processor(), set()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "Flags":
                cpu_flags = set(value.split())
    except (OSError, subprocess.CalledProcessError):
        pass
    return {"cpu": model, "nproc": os.cpu_count(), "cpu_flags": [f for f in CPU_FLAGS if f in cpu_flags],
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
            "tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()}


def load_average():
    """The 1, 5 and 15 minute load averages."""
    return [round(value, 2) for value in os.getloadavg()]


def best_tflops(run, flop):
    """TFLOP/s of ``run()`` (returns a tensor; ``flop`` FLOPs) from its best time over >= PEAK_MIN_RUNS runs
    and PEAK_MIN_SECONDS."""
    run().numpy()  # warm-up: kernel selection, allocation
    best, spent, runs = float("inf"), 0.0, 0
    while runs < PEAK_MIN_RUNS or spent < PEAK_MIN_SECONDS:
        start = time.perf_counter()
        run().numpy()
        seconds = time.perf_counter() - start
        best, spent, runs = min(best, seconds), spent + seconds, runs + 1
    return flop / best / 1e12


def conv_operands(precision, batch, size, channels):
    """Random input [batch, size, size, channels] and 3x3 ``channels`` -> ``channels`` kernel in the dtype."""
    import tensorflow as tf

    dtype = PEAK_DTYPES[precision]
    x = tf.cast(tf.random.normal([batch, size, size, channels]), dtype)
    return x, tf.cast(tf.random.normal([3, 3, channels, channels]) * 0.02, dtype)


def measure_peak(precision):
    """Peak TFLOP/s of ``precision`` here: a 4096^3 matmul and a 3x3 512->512 conv2d (batch 16, 16x16)."""
    import tensorflow as tf

    dtype = PEAK_DTYPES[precision]
    a = tf.random.normal([4096, 4096], dtype=tf.float32)
    a, b = tf.cast(a, dtype), tf.cast(tf.transpose(a), dtype)
    matmul = best_tflops(lambda: tf.matmul(a, b), 2 * 4096**3)
    x, w = conv_operands(precision, 16, 16, 512)
    conv = best_tflops(lambda: tf.nn.conv2d(x, w, 1, "SAME"), 2 * 16 * 16 * 16 * 9 * 512 * 512)
    return {"matmul_tflops": round(matmul, 4), "conv2d_tflops": round(conv, 4), "tflops": round(max(matmul, conv), 4)}


def build_training(widths, resolution, precision, loss_name, r1_interval, jit_compile, batch, augment=None):
    """A compiled StyleGAN at one stage (alpha 1) of ``widths`` (augmenting D's images as ``augment``, an
    AugmentConfig, says) and an endless dataset of random images."""
    import keras
    import tensorflow as tf

    from keras_stylegan import ArchitectureConfig, Discriminator, Generator
    from keras_stylegan.training.losses import LossConfig
    from keras_stylegan.training.model import StyleGAN
    from keras_stylegan.training.precision import resolve_policy
    from keras_stylegan.training.schedule import ProgressiveSchedule

    keras.mixed_precision.set_global_policy(resolve_policy(precision))
    arch = ArchitectureConfig(resolution=resolution, **WIDTHS[widths])
    loss = LossConfig(loss=loss_name, r1_interval=r1_interval)
    schedule = ProgressiveSchedule(final_resolution=resolution, start_resolution=resolution, minibatch_base=batch)
    model = StyleGAN(Generator(arch), Discriminator(arch), schedule, loss=loss, augment=augment)
    adam = lambda: keras.optimizers.Adam(0.001, beta_1=0.0, beta_2=0.99, epsilon=1e-8)  # noqa: E731
    model.compile(g_optimizer=adam(), d_optimizer=adam(), jit_compile=jit_compile)
    model.set_stage(resolution, batch)
    images = tf.random.uniform([batch, resolution, resolution, arch.num_channels], -1.0, 1.0)
    # No tf.data autotuning (nothing here to tune): deleting an autotuned iterator at the end of fit() can
    # wait for the tuner's next wake-up (10 ms, doubling), which added up to the whole fit's time again.
    options = tf.data.Options()
    options.autotune.enabled = False
    return model, tf.data.Dataset.from_tensors(images).repeat().with_options(options), arch, loss


def measure(widths, resolution, precision, loss_name, r1_interval, jit_compile, batch, steps, warmup):
    """Peak of the precision, then ``warmup + steps`` training steps at one stage; the last ``steps`` timed."""
    import keras

    from keras_stylegan.training.flops import training_step_flops

    record = {"widths": widths, "resolution": resolution, "precision": precision, "loss": loss_name,
              "r1_interval": r1_interval, "jit_compile": jit_compile, "batch": batch, "steps": steps,
              "load_before_peak": load_average()}
    peak = measure_peak(precision)
    record.update(peak_tflops=peak["tflops"], peak_matmul_tflops=peak["matmul_tflops"],
                  peak_conv2d_tflops=peak["conv2d_tflops"], load_after_peak=load_average())

    model, data, arch, loss = build_training(widths, resolution, precision, loss_name, r1_interval, jit_compile,
                                             batch)
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0)
    warmup_seconds = time.perf_counter() - start
    record["load_before_training"] = load_average()
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    record["load_after_training"] = load_average()

    step_flop = training_step_flops(arch, loss, resolution, batch)  # alpha 1: one path, nothing fading
    achieved = step_flop * steps / seconds / 1e12
    record.update(
        policy=keras.mixed_precision.global_policy().name,
        img_per_sec=round(batch * steps / seconds, 3),
        sec_per_step=round(seconds / steps, 3),
        model_gflop_per_image=round(step_flop / batch / 1e9, 3),
        achieved_tflops=round(achieved, 4),
        mfu=round(achieved / peak["tflops"], 4),
        warmup_sec_incl_tracing=round(warmup_seconds, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    )
    return record


def _split(text, allowed, name):
    values = [value for value in text.split(",") if value]
    unknown = [value for value in values if value not in allowed]
    if unknown or not values:
        raise SystemExit(f"train_throughput: error: --{name}={text}: use a comma-separated list of {', '.join(allowed)}")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="quickstart", help="quickstart and/or official, comma-separated")
    parser.add_argument("--resolutions", default="16,32,64")
    parser.add_argument("--precisions", default="float32,bfloat16", help="float32, bfloat16, float16")
    parser.add_argument("--loss", default="logistic", choices=("logistic", "wgan_gp"),
                        help="logistic + R1 (StyleGAN) or wgan_gp (ProGAN)")
    parser.add_argument("--r1_interval", type=int, default=1, help="lazy R1: the penalty every k-th step")
    parser.add_argument("--jit_compile", action="store_true", help="XLA-compile the train step")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (tracing included)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration; the fastest is the summary")
    parser.add_argument("--one", default="", help="internal: WIDTHS,RESOLUTION,PRECISION measured in this process")
    args = parser.parse_args()
    options = dict(loss_name=args.loss, r1_interval=args.r1_interval, jit_compile=args.jit_compile,
                   batch=args.batch, steps=args.steps, warmup=args.warmup)
    if args.one:
        widths, resolution, precision = args.one.split(",")
        print(json.dumps(measure(widths, int(resolution), precision, **options)))
        return
    widths_list = _split(args.widths, WIDTHS, "widths")
    precisions = _split(args.precisions, PEAK_DTYPES, "precisions")
    resolutions = [int(r) for r in _split(args.resolutions, [str(2**k) for k in range(2, 11)], "resolutions")]
    print(json.dumps({"machine": machine(), "load_average": load_average()}), flush=True)
    configs = [(w, r, p) for w in widths_list for r in resolutions for p in precisions]
    runs = {config: [] for config in configs}
    forwarded = [f"--loss={args.loss}", f"--r1_interval={args.r1_interval}", f"--batch={args.batch}",
                 f"--steps={args.steps}", f"--warmup={args.warmup}"] + (["--jit_compile"] if args.jit_compile else [])
    for _ in range(args.repeats):  # interleaved, so that a busy spell of the machine hits every configuration
        for config in configs:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.train_throughput", "--one=" + ",".join(map(str, config))] + forwarded,
                capture_output=True, text=True, cwd=REPO, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
            if out.returncode:
                record = {"kind": "run", "widths": config[0], "resolution": config[1], "precision": config[2],
                          "error": (out.stderr.strip().splitlines() or ["no output"])[-1]}
            else:
                record = {"kind": "run", **json.loads(out.stdout.strip().splitlines()[-1])}
                runs[config].append(record)
            print(json.dumps(record), flush=True)
    for config in configs:
        if runs[config]:
            best = max(runs[config], key=lambda record: record["img_per_sec"])
            print(json.dumps({**best, "kind": "summary",
                              "img_per_sec_all_runs": [record["img_per_sec"] for record in runs[config]],
                              "mfu_all_runs": [record["mfu"] for record in runs[config]]}), flush=True)


if __name__ == "__main__":
    main()
