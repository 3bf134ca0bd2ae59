"""Prepare throughput of pipelines.prepare on this machine: images/s written, per configuration.

Two sources: builtin:twemoji (4,009 emoji PNGs of 72x72; the quickstart's first-use cost) and an
FFHQ-like folder of synthetic 1024x1024 JPEGs (smooth random colour fields plus noise: photo-sized
decode, 1024 px pyramid of 9 resolutions). Each configuration runs prepare once into a temporary
directory and reports its own summary (seconds include listing, decoding, pyramids, writing, hashing).

    python benchmarks/prepare_throughput.py
    python benchmarks/prepare_throughput.py --large_images=50 --workers=1,2
Prints one JSON document: the machine and one record per configuration.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_large_jpegs(folder, count, size=1024, seed=0):
    """``count`` synthetic photo-sized JPEGs: upsampled 16x16 colour fields plus pixel noise (quality 90)."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder)
    for i in range(count):
        field = Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).resize((size, size),
                                                                                          Image.Resampling.BICUBIC)
        noisy = np.clip(np.asarray(field, np.int16) + rng.integers(-12, 13, (size, size, 3)), 0, 255)
        Image.fromarray(noisy.astype(np.uint8)).save(os.path.join(folder, f"{i:05d}.jpg"), quality=90)


def main():
    # Imported here, not at the top: --workers processes are spawned and re-import this module, and
    # must not load TensorFlow (as with `python -m pipelines.prepare_dataset`).
    from train_throughput import machine  # same machine record as the other benchmarks

    from pipelines.prepare import prepare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default=f"1,{os.cpu_count()}")
    parser.add_argument("--encodings", default="raw,png")
    parser.add_argument("--large_images", type=int, default=100, help="synthetic 1024 px JPEGs (0: skip)")
    args = parser.parse_args()
    records = []
    with tempfile.TemporaryDirectory() as root:
        configurations = [("builtin:twemoji", 64, encoding) for encoding in args.encodings.split(",")]
        if args.large_images:
            write_large_jpegs(os.path.join(root, "large"), args.large_images)
            configurations += [(os.path.join(root, "large"), 1024, encoding) for encoding in args.encodings.split(",")]
        for source, resolution, encoding in configurations:
            for workers in (int(w) for w in args.workers.split(",")):
                output = os.path.join(root, f"out-{len(records)}")
                summary = prepare(source, output, resolution, encoding=encoding, workers=workers,
                                  show_progress=False)
                records.append({"source": "synthetic 1024px JPEG" if source.endswith("large") else source,
                                "resolution": resolution, "encoding": encoding, "workers": workers,
                                "images": summary["written"], "seconds": round(summary["seconds"], 2),
                                "img_per_sec": round(summary["images_per_second"], 1)})
                print(json.dumps(records[-1]), file=sys.stderr)
    print(json.dumps({"benchmark": "prepare_throughput", "machine": machine(), "results": records}, indent=1))


if __name__ == "__main__":
    main()
