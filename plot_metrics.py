"""Plot a run's metric curve: ``python plot_metrics.py --run=RUN_DIR --figure=swd --output=swd.png``.

Reads ``<run>/metrics.jsonl`` (the lines training and evaluate.py append) and draws the figure against the
thousands of images shown, one point per training-time measurement, as a PNG drawn with Pillow. Several runs
(``--run=A,B,C``) give one curve each in one plot, with a legend (``--labels``; runs of the same label, e.g. the
seeds of one setting, share its colour). A line that holds no record (cut short by a crash, edited) is named by
its number in a warning and passed over. An existing PNG is kept unless --overwrite, checked before anything is
read.
"""

import os

import numpy as np
from absl import flags
from PIL import Image, ImageDraw, ImageFont

import tool_flags
from keras_stylegan.errors import UserError, warn
from keras_stylegan.inference.image_io import atomic_output
from keras_stylegan.metrics import METRICS_FILE, read_records
from keras_stylegan.output_paths import check_output_file

FLAGS = flags.FLAGS
flags.DEFINE_string("run", None, "The run directory whose metrics.jsonl is plotted; several, comma-separated, "
                    "give a curve each.")
flags.DEFINE_string("labels", None, "Legend names of the runs, comma-separated (default: their directory names); "
                    "runs with the same name share a colour.")
flags.DEFINE_string("figure", "swd", "The figure to plot: a key of the records' results (swd, swd_16, fid, "
                    "augment_p, r_t, ...).")
flags.DEFINE_string("output", None, "The PNG to write; default <run>/<figure>.png (needed for several runs).")
tool_flags.define_verbose_flag()
tool_flags.define_overwrite_flag()

WIDTH, HEIGHT, MARGIN = 640, 400, 56
INK, GRID = (0, 0, 0), (220, 220, 220)
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def read_curve(run_dir, figure):
    """(kimg, value) points of ``figure`` from the training-time records (those that have a kimg)."""
    path = os.path.join(run_dir, METRICS_FILE)
    if not os.path.isfile(path):
        raise UserError(f"{run_dir!r} has no {METRICS_FILE} (train with --metrics=swd, or run evaluate.py).")
    records, problems = read_records(path)
    for number, problem in problems:
        warn(f"{path} line {number}: {problem}; passed over.")
    measured = [(r["kimg"], r["results"][figure]) for r in records if "kimg" in r and figure in r["results"]]
    points = sorted(point for point in measured if all(_is_number(value) for value in point))
    if len(points) < len(measured):
        warn(f"{path}: {len(measured) - len(points)} measurement(s) of {figure!r} are not finite numbers; passed over.")
    if not points:
        found = sorted({key for r in records for key in r["results"]})
        raise UserError(f"no training-time measurement of {figure!r} in {path} (figures there: {', '.join(found)}).")
    return np.array(points, np.float64)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _ticks(low, high, count=5):
    """About ``count`` round tick values covering [low, high]."""
    step = 10 ** np.floor(np.log10(max(high - low, 1e-12) / count))
    step *= min((m for m in (1, 2, 5, 10) if (high - low) / (step * m) <= count), default=10)
    return np.arange(np.ceil(low / step) * step, high + step / 2, step)


def draw_curves(curves, title):
    """A white PNG-ready image: axes with ticks, grid, each curve of ``curves`` ([(label, points)], points an
    array of (kimg, value) rows) and its points in its label's colour, a legend when there are labels, the title."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.font = ImageFont.load_default(size=13)
    every = np.concatenate([points for _, points in curves])
    kimg, values = every[:, 0], every[:, 1]
    x_low, x_high = 0.0, max(kimg.max(), 1e-9)
    y_low, y_high = min(0.0, values.min()), values.max() * 1.05 or 1.0
    left, right, top, bottom = MARGIN + 10, WIDTH - 32, 30, HEIGHT - MARGIN  # room for the last tick label

    def at(x, y):
        return (left + (x - x_low) / (x_high - x_low) * (right - left),
                bottom - (y - y_low) / (y_high - y_low) * (bottom - top))

    for y in _ticks(y_low, y_high):
        draw.line([at(x_low, y), at(x_high, y)], fill=GRID)
        draw.text((left - 8, at(x_low, y)[1]), f"{y:g}", fill=INK, anchor="rm")
    for x in _ticks(x_low, x_high):
        draw.text((at(x, y_low)[0], bottom + 8), f"{x:g}", fill=INK, anchor="mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=INK)
    labels = list(dict.fromkeys(label for label, _ in curves))
    for label, points in curves:
        colour = COLOURS[labels.index(label) % len(COLOURS)]
        draw.line([at(x, y) for x, y in points], fill=colour, width=2)
        for x, y in points:
            cx, cy = at(x, y)
            draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill=colour)
    for row, label in enumerate(label for label in labels if label):
        y = top + 10 + 18 * row
        draw.line([(right - 150, y), (right - 125, y)], fill=COLOURS[labels.index(label) % len(COLOURS)], width=3)
        draw.text((right - 118, y), label, fill=INK, anchor="lm")
    draw.text(((left + right) / 2, HEIGHT - 18), "thousands of real images shown (kimg)", fill=INK, anchor="mm")
    draw.text(((left + right) / 2, 14), title, fill=INK, anchor="mm")
    return image


def plot():
    runs = [run for run in (FLAGS.run or "").split(",") if run]
    if not runs:
        raise UserError("give --run=RUN_DIR, a run directory holding metrics.jsonl (or several, comma-separated).")
    labels = FLAGS.labels.split(",") if FLAGS.labels is not None else None
    if labels is not None and len(labels) != len(runs):
        raise UserError(f"--labels names {len(labels)} runs, --run gives {len(runs)} (one label a run).")
    if len(runs) > 1 and not FLAGS.output:
        raise UserError("several runs need --output=PNG (where the plot of all of them goes).")
    output = FLAGS.output or os.path.join(runs[0], f"{FLAGS.figure}.png")
    check_output_file(output, "--output", FLAGS.overwrite)
    curves = [(label, read_curve(run, FLAGS.figure)) for label, run in
              zip(labels or [os.path.basename(os.path.normpath(run)) if len(runs) > 1 else "" for run in runs], runs)]
    if len(runs) == 1:
        title = f"{FLAGS.figure} of {os.path.basename(os.path.normpath(runs[0]))} (last {curves[0][1][-1, 1]:.4g})"
    else:
        title = f"{FLAGS.figure} of {len(runs)} runs"
    with atomic_output(output) as partial:
        draw_curves(curves, title).save(partial, format="PNG")
    points = sum(len(points) for _, points in curves)
    print(f"Wrote {output}: {points} points of {FLAGS.figure}" + (f" from {len(runs)} runs." if len(runs) > 1 else "."))


if __name__ == "__main__":
    tool_flags.run("plot_metrics.py", plot)
