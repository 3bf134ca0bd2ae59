"""Wall time of a training-time metric at quickstart size: SWD on Gs's images against reals.

A fresh Generator of the quickstart's widths (configs/quickstart.flags: 32 px, 64 channels, latent 64,
4 mapping layers; random weights: the cost does not depend on them) draws ``--images`` images through
keras_stylegan.metrics.image_sets (as training does, batches of 32), the reals are random uint8 images of the
same size (the reader's cost is measured by benchmarks/reader_throughput.py), and the metric runs through the
registry. Reported separately: drawing the fakes (the first batch traces the generator) and the metric
itself, best of ``--repeats``; with the machine and the 1-minute load average.

    python -m benchmarks.metric_cost                       # swd, 512 images a side (the quickstart's)
    python -m benchmarks.metric_cost --images=1024 --repeats=3
"""

import argparse
import json
import os
import time

from benchmarks.train_throughput import machine


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metric", default="swd")
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import numpy as np

    from keras_stylegan import ArchitectureConfig, Generator
    from keras_stylegan.metrics import MetricInputs, MetricOptions, evaluate
    from keras_stylegan.metrics.image_sets import generated_batches

    generator = Generator(ArchitectureConfig(resolution=32, latent_size=64, dlatent_size=64, mapping_layers=4,
                                             mapping_fmaps=64, fmap_base=1024, fmap_max=64))
    reals = np.random.RandomState(0).randint(0, 256, (args.images, 32, 32, 3)).astype(np.uint8)
    draw, measure = [], []
    for _ in range(args.repeats):
        start = time.time()
        fakes = np.concatenate(list(generated_batches(generator, args.images, 32)))
        draw.append(time.time() - start)
        inputs = MetricInputs(fakes=lambda n: [fakes[:n]], reals=lambda n: [reals[:n]], resolution=32, channels=3)
        [record] = evaluate([args.metric], inputs, MetricOptions(), args.images)
        measure.append(record["seconds"])
    print(json.dumps({"machine": machine(), "metric": args.metric, "images": args.images,
                      "draw_fakes_seconds": [round(t, 2) for t in draw], "metric_seconds": measure,
                      "best_total_seconds": round(min(draw) + min(measure), 2),
                      "load_average_1min": os.getloadavg()[0]}, indent=1))


if __name__ == "__main__":
    main()
