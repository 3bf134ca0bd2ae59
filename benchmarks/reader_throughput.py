"""Reader throughput of pipelines.reader.make_dataset on this machine: images/s per resolution and encoding.

Prepares ``--source`` (default builtin:twemoji: emoji PNGs, upscaled past their native 72 px for 256) once
per encoding at the
largest resolution asked (one multi-resolution dataset serves every smaller one), then times ``--batches``
batches of the full pipeline (interleave, parse, decode, flip, scale, batch, prefetch) after a warm-up.

    python benchmarks/reader_throughput.py                       # 32, 64, 256 px x raw, png
    python benchmarks/reader_throughput.py --resolutions=32 --encodings=raw --batches=100
    python benchmarks/reader_throughput.py --source=/data/ffhq-images --resolutions=1024 --images=200 --batch=4
Prints one JSON document: the machine and one record per configuration.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from train_throughput import machine  # noqa: E402  (same machine record as the other benchmarks)

from pipelines.prepare import prepare  # noqa: E402
from pipelines.reader import make_dataset  # noqa: E402


def measure(data_dir, resolution, encoding, batch, batches, warmup):
    """Images/s of ``batches`` batches of ``batch`` after ``warmup`` batches (tf.data start-up excluded)."""
    iterator = iter(make_dataset(data_dir, resolution, batch, seed=0))
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    seconds = time.perf_counter() - start
    return {"resolution": resolution, "encoding": encoding, "batch": batch, "batches": batches,
            "img_per_sec": round(batch * batches / seconds, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", default="32,64,256")
    parser.add_argument("--encodings", default="raw,png")
    parser.add_argument("--source", default="builtin:twemoji", help="images to prepare (folder, .zip, builtin:NAME)")
    parser.add_argument("--images", type=int, default=1000, help="images prepared per encoding")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    resolutions = [int(r) for r in args.resolutions.split(",")]
    records = []
    with tempfile.TemporaryDirectory() as root:
        for encoding in args.encodings.split(","):
            data_dir = os.path.join(root, encoding)
            prepare(args.source, data_dir, max(resolutions), encoding=encoding, max_images=args.images,
                    workers=1, show_progress=False)
            for resolution in resolutions:
                records.append(measure(data_dir, resolution, encoding, args.batch, args.batches, args.warmup))
                print(json.dumps(records[-1]), file=sys.stderr)
    print(json.dumps({"benchmark": "reader_throughput", "machine": machine(), "source": args.source,
                      "images": args.images, "results": records}, indent=1))


if __name__ == "__main__":
    main()
