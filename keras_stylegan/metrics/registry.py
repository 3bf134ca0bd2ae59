"""The registered metrics, by the names tools take (``--metrics=swd,fid``), and how a set of them runs.

A metric is called with :class:`MetricInputs` and the number of images it compares, and returns its
figures ``{name: value}``. :func:`evaluate` runs metrics one after the other and returns one record per
metric, the JSON line tools print and append to a run's ``metrics.jsonl``.
"""

import dataclasses
import datetime
import json
import os
import time
from typing import Any, Callable

from keras_stylegan.errors import UserError
from keras_stylegan.metrics import augment_leak, fid, lpips, ms_ssim, ppl, swd

METRICS_FILE = "metrics.jsonl"


@dataclasses.dataclass(frozen=True)
class MetricOptions:
    """What the metrics need beyond the images (flags of evaluate.py and train.py)."""

    inception: str = ""  # FID: path of classify_image_graph_def.pb
    cache_dir: str = fid.DEFAULT_CACHE_DIR  # FID: where the reals' statistics are cached
    lpips: str = ""  # PPL: path of the LPIPS-VGG16 weights (.npz, layout in lpips.py)
    ppl_crop: bool = False  # PPL: crop to the central face region as the paper does for FFHQ
    batch_size: int = 32  # PPL: pairs of images per generator call
    seed: int = 0  # latents, noise and the metrics' own random draws


@dataclasses.dataclass
class MetricInputs:
    """The two image sets a metric compares (uint8 NHWC batches at ``resolution``)."""

    fakes: Callable[[int], Any]  # num_images -> iterable of batches: the generated (or scored) images
    reals: Callable[[int], Any]  # num_images -> iterable of batches of the training data
    resolution: int
    channels: int
    reals_key: str = ""  # names the reals for caches ("" = not cached): dataset manifest hash and resolution
    generator: Any = None  # the network the fakes come from (PPL walks its latent spaces); None for image folders
    stage: Any = None  # the generator's stage and alpha for PPL (None: its sampling defaults)
    alpha: Any = None


def _swd(inputs, num_images, options):
    return swd.swd(inputs.reals(num_images), inputs.fakes(num_images), num_images, inputs.resolution,
                   inputs.channels, seed=options.seed)


def _ms_ssim(inputs, num_images, options):
    return {"ms_ssim": ms_ssim.diversity(inputs.fakes(num_images), num_images),
            "ms_ssim_reals": ms_ssim.diversity(inputs.reals(num_images), num_images)}


def _augment_leak(inputs, num_images, options):
    return augment_leak.augment_leak(inputs.reals(num_images), inputs.fakes(num_images), num_images)


def _fid(inputs, num_images, options):
    features = fid.InceptionFeatures(options.inception)
    key = inputs.reals_key and f"{inputs.reals_key} resolution={inputs.resolution}"
    return {"fid": fid.fid(features, lambda: inputs.reals(num_images), inputs.fakes(num_images), num_images,
                           reals_key=key, cache_dir=options.cache_dir)}


def _ppl(space, sampling):
    def compute(inputs, num_images, options):
        distance = lpips.LPIPS(options.lpips)
        value = ppl.ppl(inputs.generator, distance, num_images, options.batch_size, space, sampling,
                        crop=options.ppl_crop, seed=options.seed, stage=inputs.stage, alpha=inputs.alpha)
        return {f"ppl_{space}{sampling}": value}
    return compute


@dataclasses.dataclass(frozen=True)
class Metric:
    compute: Callable  # (MetricInputs, num_images, MetricOptions) -> {figure name: value}
    default_images: int  # images of each set, as the papers measured
    description: str


METRICS = {
    "swd": Metric(_swd, 16384, "sliced Wasserstein distance x1e3 per Laplacian level and mean (ProGAN App. D)"),
    "ms_ssim": Metric(_ms_ssim, 10000, "MS-SSIM diversity of fakes and reals, mean over pairs (lower = more varied)"),
    "fid": Metric(_fid, 50000, "Frechet Inception distance, TTUR's Inception graph (StyleGAN Tables 1-2)"),
    **{f"ppl_{space}{sampling}": Metric(_ppl(space, sampling), 100000,
                                        f"perceptual path length in {space.upper()}, {sampling} paths, LPIPS-VGG16 "
                                        "(StyleGAN Sec. 4.1)")
       for space in ppl.SPACES for sampling in ppl.SAMPLINGS},
    "augment_leak": Metric(_augment_leak, 1024, "turned images and shifted colours against the data: what a leaking "
                                                "augmentation leaves in G's images (ADA Sec. 2.2)"),
}


def parse_metrics(text):
    """Metric names from ``"swd,fid"``; a UserError naming an unknown one and the registered ones."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise UserError(f"unknown metric {unknown[0]!r} (registered: {', '.join(METRICS)}).")
    return list(dict.fromkeys(names))


def check_options(names, options, resolution=None, has_generator=True):
    """A UserError before any image is drawn when a metric lacks what it needs or cannot measure images
    of ``resolution``."""
    if "fid" in names and not options.inception:
        raise UserError(fid.missing_graph_message(options.inception))
    path_lengths = [name for name in names if name.startswith("ppl_")]
    if path_lengths and not has_generator:
        raise UserError(f"{path_lengths[0]} walks a network's latent space: give --network, not --images.")
    if path_lengths and not options.lpips:
        lpips.LPIPS(options.lpips)  # raises the error saying how to give the weights
    if "ms_ssim" in names and resolution is not None and resolution < ms_ssim.WINDOW:
        raise UserError(f"ms_ssim needs images of at least {ms_ssim.WINDOW} px, these are {resolution} px "
                        "(drop it from the metrics).")


def evaluate(names, inputs, options, num_images=None, extra=None):
    """Run the metrics ``names`` on ``inputs``; yield one record per metric as it finishes:
    ``{"metric", "results", "num_images", "seconds", "time", **extra}``. ``num_images`` None means each
    metric's default."""
    for name in names:
        metric = METRICS[name]
        count = num_images or metric.default_images
        start = time.time()
        results = metric.compute(inputs, count, options)
        yield {"metric": name, "results": results, "num_images": count,
               "seconds": round(time.time() - start, 3),
               "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               **(extra or {})}


def append_record(path, record):
    """Append ``record`` as one JSON line to ``path`` (a run's metrics.jsonl), in one write. A file whose last
    line lacks its newline (a write cut short, an edit) first gets one, so the record never joins that line."""
    line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    with open(path, "a+b") as f:  # appends go to the end whatever was read
        size = f.seek(0, os.SEEK_END)
        if size:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                line = b"\n" + line
        f.write(line)


def read_records(path):
    """``(records, problems)`` of a metrics.jsonl: every line that holds a record (a JSON object with
    ``results``), and ``(line number, what is wrong)`` for each line that does not (cut short, edited), so
    that a reader can say which lines it passed over and use the rest. Records glued onto one line by an
    older append are all read."""
    records, problems = [], []
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            text, found = line.strip(), []
            try:
                while text:
                    value, end = decoder.raw_decode(text)
                    found.append(value)
                    text = text[end:].lstrip()
            except json.JSONDecodeError as error:
                problems.append((number, f"not JSON ({error.msg} at column {error.colno}; cut short or edited?)"))
                continue
            bad = [value for value in found if not (isinstance(value, dict) and isinstance(value.get("results"), dict))]
            if bad:
                problems.append((number, "not a metric record (a JSON object with 'results')"))
                continue
            records.extend(found)
    return records, problems
