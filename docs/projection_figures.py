"""What docs/make_projection_figures.sh needs beyond the tools: labels from an attribute measured on the
network's images, the attribute along an edit, the README's table and the target | projection | edit sheet.

    python docs/projection_figures.py labels NETWORK LABELS_TXT      # 2000 seeds; the reddest 10% 1, the least red 0
    python docs/projection_figures.py along NETWORK DIRECTION.npz LATENTS_DIR OUT.json
    python docs/projection_figures.py table RESULTS.json ...         # the README's table (markdown) on stdout
    python docs/projection_figures.py sheet NETWORK DIRECTION.npz PROJ_DIR [PROJ_DIR ...] OUT.png

The attribute is "redness": the mean of R - G over the image in 0-255 units. The face emoji are yellow
(R - G about 50) and a few are red (pouting, hot face, about 150): a property a labeller can measure on
every generated image, as InterFaceGAN measures attributes with a classifier.
"""

import glob
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras_stylegan as ks  # noqa: E402
from keras_stylegan.inference.directions import apply_direction, load_direction  # noqa: E402
from keras_stylegan.inference.editing import render  # noqa: E402
from keras_stylegan.inference.grid import enlarge, tile  # noqa: E402
from keras_stylegan.inference.image_io import write_png  # noqa: E402
from keras_stylegan.inference.latents import latents_for_seeds  # noqa: E402
from keras_stylegan.projection import load_latent  # noqa: E402

SEEDS = 2000
SHARE = 0.10  # InterFaceGAN keeps the clearest samples of each side
STRENGTHS = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
SHEET_STRENGTH = 2.0


def redness(images):
    """Mean R - G of uint8 images [N, H, W, 3], per image."""
    images = np.asarray(images, np.float64)
    return (images[..., 0] - images[..., 1]).mean(axis=(1, 2))


def labels(network, path):
    generator = ks.load_generator(network).with_policy("float32")
    ws = generator.map(latents_for_seeds(range(SEEDS), generator.config.latent_size)).numpy()
    score = redness(render(generator, ws, batch_size=100))
    order = np.argsort(score)
    count = int(SEEDS * SHARE)
    with open(path, "w") as file:
        file.write(f"# {count} least red (0) and {count} reddest (1) of seeds 0-{SEEDS - 1}: mean R - G "
                   f"{score[order[:count]].mean():.1f} and {score[order[-count:]].mean():.1f}\n")
        for seed in sorted(order[:count]):
            file.write(f"{seed},0\n")
        for seed in sorted(order[-count:]):
            file.write(f"{seed},1\n")
    print(f"wrote {path}: redness of all {SEEDS}: mean {score.mean():.1f}, 10th/90th percentiles "
          f"{np.percentile(score, 10):.1f}/{np.percentile(score, 90):.1f}")


def _latents(generator, folder):
    return [(os.path.basename(path)[:-4], load_latent(path, generator)) for path in sorted(glob.glob(f"{folder}/*.npz"))]


def along(network, direction_path, folder, out):
    """Redness of every latent of ``folder`` edited by each of STRENGTHS (the projection at 0)."""
    generator = ks.load_generator(network).with_policy("float32")
    direction = load_direction(direction_path, generator.config.dlatent_size)
    unit = direction.metadata["std_along"]
    rows = []
    for name, latent in _latents(generator, folder):
        edited = apply_direction(latent.ws[0], direction.direction, np.asarray(STRENGTHS) * unit,
                                 list(range(generator.num_layers)))
        rows.append(redness(render(generator, edited, latent.noise)).tolist())
    rows = np.asarray(rows)
    record = {"strengths": list(STRENGTHS), "mean": rows.mean(axis=0).tolist(), "std": rows.std(axis=0, ddof=1).tolist(),
              "increasing": int(np.sum(np.all(np.diff(rows, axis=1) > 0, axis=1))), "count": len(rows),
              "direction": direction.metadata}
    with open(out, "w") as file:
        json.dump(record, file, indent=1)
    print(" ".join(f"{s:+.0f}: {m:.1f} +- {d:.1f}" for s, m, d in zip(STRENGTHS, record["mean"], record["std"])),
          f"(redness of {len(rows)} edited projections; {record['increasing']} rise at every step)")


def table(*paths):
    print("| targets | space | PSNR (dB) | MS-SSIM | s / image |")
    print("|---|---|---|---|---|")
    for path in paths:
        with open(path) as file:
            record = json.load(file)
        summary = record["summary"]
        what = f"{record['count']} own images (seeds {record['seeds']})" if record["seeds"] else \
            f"{record['count']} held-out reals"
        print(f"| {what} | {'W+' if record['space'] == 'w_plus' else 'W'} | {summary['psnr']['mean']:.1f} +- "
              f"{summary['psnr']['std']:.1f} | {summary['ms_ssim']['mean']:.3f} +- {summary['ms_ssim']['std']:.3f} | "
              f"{record['seconds_per_image']:.1f} |")


def sheet(network, direction_path, *folders_and_out):
    """Rows: targets, then each folder's projections, then the last folder's projections edited by
    SHEET_STRENGTH along the direction; a column per target."""
    *folders, out = folders_and_out
    generator = ks.load_generator(network).with_policy("float32")
    direction = load_direction(direction_path, generator.config.dlatent_size)
    names = [os.path.basename(p)[:-len("-target.png")] for p in sorted(glob.glob(f"{folders[0]}/*-target.png"))]
    rows = [[np.asarray(Image.open(f"{folders[0]}/{name}-target.png")) for name in names]]
    for folder in folders:
        rows.append([np.asarray(Image.open(f"{folder}/{name}-projection.png")) for name in names])
    edits = []
    for name in names:
        latent = load_latent(f"{folders[-1]}/{name}.npz", generator)
        ws = apply_direction(latent.ws[0], direction.direction, [SHEET_STRENGTH * direction.metadata["std_along"]],
                             list(range(generator.num_layers)))
        edits.append(render(generator, ws, latent.noise)[0])
    rows.append(edits)
    write_png(out, enlarge(tile(rows, gap=2), 3))
    print(f"wrote {out}")


if __name__ == "__main__":
    {"labels": labels, "along": along, "table": table, "sheet": sheet}[sys.argv[1]](*sys.argv[2:])
