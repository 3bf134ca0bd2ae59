"""Import time and peak memory of ``keras_stylegan.legacy.load_official`` on a full-size FFHQ 1024 pickle.

Builds an official StyleGAN v1 pickle of the released FFHQ 1024x1024 layout (G and Gs: 26.2M trainable
parameters each, D: 23.1M) from random values at NVIDIA's variable shapes, written out here from the
official configuration (fmap_base 8192, fmap_max 512, 8 x 512 mapping, 18 styled layers), in a temporary
directory, then loads it in fresh processes (so that memory is the importer's alone) and reports JSON:

    python -m benchmarks.legacy_import                 # 3 runs, interleaved with nothing else
    python -m benchmarks.legacy_import --repeats=1 --keep=/tmp/ffhq-random.pkl

Per run: seconds to import keras_stylegan, to read and convert the pickle (``read_official``), to build G, D
and Gs and set their weights, the whole ``load_official``, the RSS after the imports and the peak RSS.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, REPO)

from benchmarks.train_throughput import machine  # noqa: E402  (same machine record as the other benchmarks)

RESOLUTION, FMAP_BASE, FMAP_MAX, LATENT, MAPPING_LAYERS = 1024, 8192, 512, 512, 8


def nf(stage):
    """Official feature maps at a stage (1 = 4x4)."""
    return min(int(FMAP_BASE / 2.0 ** stage), FMAP_MAX)


def official_shapes():
    """``(G shapes, D shapes)``: ``{official variable name: shape}`` of NVIDIA's FFHQ 1024 networks."""
    log2 = int(math.log2(RESOLUTION))
    g = {"lod": (), "dlatent_avg": (LATENT,), "G_synthesis/lod": ()}
    for i in range(MAPPING_LAYERS):
        g[f"G_mapping/Dense{i}/weight"], g[f"G_mapping/Dense{i}/bias"] = (LATENT, LATENT), (LATENT,)
    layer = 0
    for res in range(2, log2 + 1):
        channels, size = nf(res - 1), 2 ** res
        scopes = (("Const", None), ("Conv", channels)) if res == 2 else (("Conv0_up", nf(res - 2)), ("Conv1", channels))
        for scope, in_channels in scopes:
            name = f"G_synthesis/{size}x{size}/{scope}"
            if in_channels is None:
                g[f"{name}/const"] = (1, channels, 4, 4)
            else:
                g[f"{name}/weight"] = (3, 3, in_channels, channels)
            g[f"{name}/bias"], g[f"{name}/Noise/weight"] = (channels,), (channels,)
            g[f"{name}/StyleMod/weight"], g[f"{name}/StyleMod/bias"] = (LATENT, 2 * channels), (2 * channels,)
            g[f"G_synthesis/noise{layer}"] = (1, 1, size, size)
            layer += 1
        g[f"G_synthesis/ToRGB_lod{log2 - res}/weight"], g[f"G_synthesis/ToRGB_lod{log2 - res}/bias"] = (1, 1, channels, 3), (3,)
    d = {"lod": ()}
    for res in range(log2, 1, -1):
        size = 2 ** res
        d[f"FromRGB_lod{log2 - res}/weight"], d[f"FromRGB_lod{log2 - res}/bias"] = (1, 1, 3, nf(res - 1)), (nf(res - 1),)
        if res > 2:
            d[f"{size}x{size}/Conv0/weight"], d[f"{size}x{size}/Conv0/bias"] = (3, 3, nf(res - 1), nf(res - 1)), (nf(res - 1),)
            d[f"{size}x{size}/Conv1_down/weight"] = (3, 3, nf(res - 1), nf(res - 2))
            d[f"{size}x{size}/Conv1_down/bias"] = (nf(res - 2),)
    d["4x4/Conv/weight"], d["4x4/Conv/bias"] = (3, 3, nf(1) + 1, nf(1)), (nf(1),)
    d["4x4/Dense0/weight"], d["4x4/Dense0/bias"] = (16 * nf(1), nf(0)), (nf(0),)
    d["4x4/Dense1/weight"], d["4x4/Dense1/bias"] = (nf(0), 1), (1,)
    return g, d


def trainable_count(shapes):
    """Parameters of the trainable variables (all but lod, dlatent_avg and the fixed noise inputs)."""
    fixed = ("lod", "dlatent_avg", "G_synthesis/lod")
    return sum(int(np.prod(shape)) for name, shape in shapes.items()
               if name not in fixed and not name.startswith("G_synthesis/noise"))


def write_ffhq_pickle(path):
    """An official-format (G, D, Gs) pickle of the FFHQ 1024 layout with random values; returns its shapes."""
    from official_pickle import write_pickle

    rng = np.random.default_rng(0)
    g_shapes, d_shapes = official_shapes()

    def random(shapes):
        return {name: (rng.standard_normal(shape, dtype=np.float32) if shape else np.float32(0))
                for name, shape in shapes.items()}

    options = {"num_channels": 3, "resolution": RESOLUTION, "label_size": 0}
    write_pickle(path, lambda official: (official.generator("G", random(g_shapes), options),
                                         official.discriminator(random(d_shapes), options),
                                         official.generator("Gs", random(g_shapes), options)),
                 os.path.join(os.path.dirname(path), "build_module_src_ran"))
    return g_shapes, d_shapes


def measure(path):
    """One import in this (fresh) process."""
    start = time.time()
    from keras_stylegan.legacy import load_official, read_official

    imported = time.time()
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    read_official(path)
    read = time.time()
    G, D, Gs = load_official(path)
    loaded = time.time()
    return {"import_keras_stylegan_s": round(imported - start, 2), "read_official_s": round(read - imported, 2),
            "load_official_s": round(loaded - read, 2),
            "build_and_assign_s": round((loaded - read) - (read - imported), 2),
            "g_trainable": sum(int(np.prod(v.shape)) for v in G.trainable_weights),
            "d_trainable": sum(int(np.prod(v.shape)) for v in D.trainable_weights),
            "rss_after_imports_mb": round(rss_after_import, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="import runs, each in a fresh process")
    parser.add_argument("--keep", default="", help="write the pickle here and keep it (default: a temp dir)")
    parser.add_argument("--measure", default="", help="internal: import this pickle in this process")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = args.keep or os.path.join(directory, "karras2019stylegan-ffhq-1024x1024-random.pkl")
        start = time.time()
        g_shapes, d_shapes = write_ffhq_pickle(path)
        write_seconds = time.time() - start
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, "-m", "benchmarks.legacy_import", f"--measure={path}"],
                                 capture_output=True, text=True, check=True, cwd=REPO,
                                 env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), file=sys.stderr)
        report = {
            "machine": machine(),
            "pickle_mb": round(os.path.getsize(path) / 2**20, 1),
            "pickle_write_s": round(write_seconds, 1),
            "official_g_trainable": trainable_count(g_shapes),
            "official_d_trainable": trainable_count(d_shapes),
            "fastest": min(runs, key=lambda run: run["load_official_s"]),
            "runs": runs,
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
