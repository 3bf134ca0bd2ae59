"""Plot a run's metric curve: ``python plot_metrics.py --run=RUN_DIR --figure=swd --output=swd.png``.

Reads ``<run>/metrics.jsonl`` (the lines training and evaluate.py append) and draws the figure against the
thousands of images shown, one point per training-time measurement, as a PNG drawn with Pillow. A line that
holds no record (cut short by a crash, edited) is named by its number in a warning and passed over. An
existing PNG is kept unless --overwrite, checked before anything is read.
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
flags.DEFINE_string("run", None, "The run directory whose metrics.jsonl is plotted.")
flags.DEFINE_string("figure", "swd", "The figure to plot: a key of the records' results (swd, swd_16, fid, ...).")
flags.DEFINE_string("output", None, "The PNG to write; default <run>/<figure>.png.")
tool_flags.define_verbose_flag()
tool_flags.define_overwrite_flag()

WIDTH, HEIGHT, MARGIN = 640, 400, 56
INK, GRID, LINE = (0, 0, 0), (220, 220, 220), (31, 119, 180)


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


def draw_curve(points, title):
    """A white PNG-ready image: axes with ticks, grid, the curve and its points, the title."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.font = ImageFont.load_default(size=13)
    kimg, values = points[:, 0], points[:, 1]
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
    draw.line([at(x, y) for x, y in points], fill=LINE, width=2)
    for x, y in points:
        cx, cy = at(x, y)
        draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill=LINE)
    draw.text(((left + right) / 2, HEIGHT - 18), "thousands of real images shown (kimg)", fill=INK, anchor="mm")
    draw.text(((left + right) / 2, 14), title, fill=INK, anchor="mm")
    return image


def plot():
    if not FLAGS.run:
        raise UserError("give --run=RUN_DIR, a run directory holding metrics.jsonl.")
    output = FLAGS.output or os.path.join(FLAGS.run, f"{FLAGS.figure}.png")
    check_output_file(output, "--output", FLAGS.overwrite)
    points = read_curve(FLAGS.run, FLAGS.figure)
    title = f"{FLAGS.figure} of {os.path.basename(os.path.normpath(FLAGS.run))} (last {points[-1, 1]:.4g})"
    with atomic_output(output) as partial:
        draw_curve(points, title).save(partial, format="PNG")
    print(f"Wrote {output}: {len(points)} points of {FLAGS.figure}.")


if __name__ == "__main__":
    tool_flags.run("plot_metrics.py", plot)
