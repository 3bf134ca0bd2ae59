"""Generation latency and export size: the Keras generator in process vs its exported SavedModel.

For each resolution a fresh Generator of NVIDIA's widths (``Generator(ArchitectureConfig(resolution=R))``,
random weights: the cost does not depend on their values) is exported with export_saved_model, and images
are drawn with constant noise and psi 0.7 through

- ``keras``: the Sampler's ``generate`` graph function on the in-process Keras model (what generate.py runs);
- ``saved_model``: ``tf.saved_model.load(export).signatures["serving_default"]`` (what TF Serving runs).

Each resolution runs in its own process (peak memory is its own); per batch size, one call warms up
(tracing) and the median of ``--repeats`` timed calls is reported, per image.

    python -m benchmarks.generate_export                           # 64, 256, 1024 px x batch 1, 8
    python -m benchmarks.generate_export --resolutions=64 --batches=1 --repeats=5
Prints one JSON document with the machine and the 1-minute load average after each resolution.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.train_throughput import REPO, machine


def _latency(function, batch, repeats):
    """Median seconds per image of ``function(z, psi)`` over ``repeats`` calls, after one warm-up call."""
    import numpy as np
    import tensorflow as tf

    z = tf.constant(np.random.RandomState(0).randn(batch, 512).astype(np.float32))
    psi = tf.constant(0.7)
    function(z=z, truncation_psi=psi)["images"].numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(z=z, truncation_psi=psi)["images"].numpy()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / batch


def measure(resolution, batches, repeats):
    """Export size and time, and per-image latency of both paths, for one resolution."""
    import tensorflow as tf

    from keras_stylegan import ArchitectureConfig, Generator
    from keras_stylegan.export import export_saved_model
    from keras_stylegan.inference.sampler import Sampler

    generator = Generator(ArchitectureConfig(resolution=resolution))
    sampler = Sampler(generator)
    keras_generate = lambda z, truncation_psi: sampler.generate(z, truncation_psi)  # noqa: E731
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        path = export_saved_model(generator, directory)
        export_seconds = time.perf_counter() - start
        files = {os.path.relpath(os.path.join(d, f), path): os.path.getsize(os.path.join(d, f))
                 for d, _, names in os.walk(path) for f in names}
        served = tf.saved_model.load(path).signatures["serving_default"]
        latency = {f"batch_{batch}": {"keras_ms_per_image": round(1000 * _latency(keras_generate, batch, repeats), 1),
                                      "saved_model_ms_per_image": round(1000 * _latency(served, batch, repeats), 1)}
                   for batch in batches}
    return {"resolution": resolution, "parameters": generator.count_params(),
            "export_mb": round(sum(files.values()) / 2**20, 1),
            "variables_mb": round(sum(v for k, v in files.items() if k.startswith("variables")) / 2**20, 1),
            "network_keras_mb": round(files[os.path.join("assets.extra", "network.keras")] / 2**20, 1),
            "export_seconds": round(export_seconds, 1), "latency": latency, "repeats": repeats,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", default="64,256,1024")
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # run one resolution in this process
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.one:
        print(json.dumps(measure(args.one, batches, args.repeats)))
        return
    results = []
    for resolution in (int(r) for r in args.resolutions.split(",")):
        child = subprocess.run([sys.executable, "-m", "benchmarks.generate_export", f"--one={resolution}",
                                f"--batches={args.batches}", f"--repeats={args.repeats}"], cwd=REPO,
                               capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"})
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # each resolution as soon as it is measured
    print(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
