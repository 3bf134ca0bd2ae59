"""Project images into a network's latent space: ``python project.py --network=RUN --target=IMG_OR_DIR --outdir=out``.

Each target (a file, every image of a folder or .zip, or ``builtin:NAME``; or the network's own images of
``--seeds``) is made square (``--transform``: centre crop by default, as NVIDIA's projector) and resized to the
network's resolution (Lanczos), then w (``--space=w``) or one w per style layer (``--space=w_plus``) and the
noise images are optimised with NVIDIA's schedule (keras_stylegan.projection). Per target NAME the outdir
gets NAME.npz (the latent: ``edit.py`` and ``keras_stylegan.projection.load_latent`` read it),
NAME-target.png, NAME-projection.png, NAME-compare.png (target | projection) and, with ``--video``, the
optimisation as NAME.gif / NAME.mp4 (target | projection every ``--video_every`` steps); results.json holds
every target's PSNR, MS-SSIM (and LPIPS with ``--lpips``), their means and spreads, and the time taken.
"""

import collections
import json
import os
import re
import time

import numpy as np
from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.inference.editing import render
from keras_stylegan.inference.grid import tile
from keras_stylegan.inference.image_io import atomic_output, write_png
from keras_stylegan.inference.latents import class_labels, count_seeds, parse_seeds
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.inference.video import write_video
from keras_stylegan.metrics.lpips import LPIPS
from keras_stylegan.metrics.ms_ssim import ms_ssim
from keras_stylegan.output_paths import check_file_count, check_output_dir
from keras_stylegan.projection import LOSSES, SPACES, Latent, ProjectionConfig, Projector, make_distance, save_latent
from pipelines import sources
from pipelines.errors import SkipImage
from pipelines.image_decode import TRANSFORMS, decode_image
from pipelines.progress import ProgressBar

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
tool_flags.define_overwrite_flag()
tool_flags.define_max_files_flag()
flags.DEFINE_string("target", None, "The image(s) to project: an image file, a folder (searched recursively), a .zip "
                    "or builtin:NAME.")
flags.DEFINE_string("seeds", None, "Instead of --target: the network's own images of these seeds (e.g. 0-7), whose "
                    "w is known (const noise, truncation --trunc).")
flags.DEFINE_float("trunc", 1.0, "--seeds: truncation psi of the seeds' images (1 = none).")
flags.DEFINE_string("outdir", "projected", "Directory the latents, images and results.json are written to.")
flags.DEFINE_enum("space", "w", list(SPACES), "w: one w for every style layer (NVIDIA's projector); w_plus: one w "
                  "per style layer (closer, but further from what the mapping network produces).")
flags.DEFINE_integer("steps", 1000, "Optimisation steps.")
flags.DEFINE_float("lr", 0.1, "Peak learning rate (5% warm-up, cosine ramp-down over the last 25%).")
flags.DEFINE_float("w_noise", 0.05, "Noise added to w at the start, in units of w's spread (gone by 75% of the steps).")
flags.DEFINE_bool("optimize_noise", True, "Optimise the noise inputs too (under the autocorrelation penalty).")
flags.DEFINE_float("noise_regularize", 1e5, "Weight of the noise inputs' autocorrelation penalty.")
flags.DEFINE_enum("loss", "ms_ssim_l1", list(LOSSES), "ms_ssim_l1: 0.84 (1 - MS-SSIM) + 0.16 L1, needs no "
                  "download; lpips: LPIPS-VGG16 (NVIDIA's loss), needs --lpips.")
flags.DEFINE_string("lpips", None, "LPIPS-VGG16 weights (.npz, layout in the README): the lpips loss, and an LPIPS "
                    "figure in results.json whatever the loss.")
flags.DEFINE_enum("transform", "center-crop", list(TRANSFORMS), "How a non-square target becomes square: "
                  "center-crop (NVIDIA's), letterbox (white bars) or resize (stretch).")
flags.DEFINE_bool("allow_upscale", False, "Accept targets smaller than the network's resolution (enlarged).")
flags.DEFINE_integer("class", None, "Class of a conditional network: w starts at that class's mean w.")
flags.DEFINE_integer("batch_size", 8, "Targets optimised at once (each has its own w and noise).")
flags.DEFINE_integer("seed", 0, "Seed of the random draws (noise images' start, noise added to w).")
flags.DEFINE_enum("video", "none", ["none", "gif", "mp4"], "Also write the optimisation as a video.")
flags.DEFINE_integer("video_every", 10, "Steps between the video's frames.")

FILES = ("{}.npz", "{}-target.png", "{}-projection.png", "{}-compare.png")
RESULTS = "results.json"


def _name(member):
    """A file-name-safe name of a target from its path inside the source."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(member)[0]).strip("_") or "image"


def _decode(data, label, generator):
    stage = generator.stage
    try:
        return decode_image(data, stage, generator.config.num_channels, FLAGS.transform,
                            min_size=0 if FLAGS.allow_upscale else stage)
    except SkipImage as skip:
        if skip.category == "too small":
            raise UserError(f"target {label}: {skip} px, smaller than the network's {stage} px (give a larger image, "
                            "or --allow_upscale to enlarge it).") from None
        raise UserError(f"target {label} cannot be read as an image ({skip}).") from None


def _patterns():
    """The names of the files written for each target ({} is the target's name): FILES and the video."""
    return FILES + ((f"{{}}.{FLAGS.video}",) if FLAGS.video != "none" else ())


def output_names(names):
    """The files written for targets ``names``, and RESULTS."""
    return [pattern.format(name) for name in names for pattern in _patterns()] + [RESULTS]


def _check_count(targets, what):
    """A UserError when ``targets`` images make more files than --max_files."""
    check_file_count(targets * len(_patterns()) + 1, FLAGS.max_files,
                     f"{what} ({targets:,} images, {len(_patterns())} files each, and {RESULTS})")


def list_targets():
    """``[(name, reader)]``: every target's name and what gives its bytes (or its seed), once the files they
    make are within --max_files (seeds are counted before they are listed)."""
    if (FLAGS.target is None) == (FLAGS.seeds is None):
        raise UserError("give --target=IMAGE_OR_DIR (a file, folder, .zip or builtin:NAME) or --seeds=A-B (the "
                        "network's own images), not both.")
    if FLAGS.seeds is not None:
        _check_count(count_seeds(FLAGS.seeds), f"--seeds={FLAGS.seeds}")
        return [(f"seed{seed:04d}", seed) for seed in dict.fromkeys(parse_seeds(FLAGS.seeds))]
    target = FLAGS.target
    if not target.startswith(sources.BUILTIN_PREFIX) and not os.path.exists(target):
        raise UserError(f"--target={target} does not exist (give an image file, a folder, a .zip or builtin:NAME).")
    if os.path.isfile(target) and not target.lower().endswith(".zip"):
        return [(_name(os.path.basename(target)), ("file", target, os.path.basename(target)))]
    listing = sources.list_source(target)
    if not listing.members:
        raise UserError(f"--target={target} holds no image files (extensions {' '.join(sources.IMAGE_EXTENSIONS)}).")
    targets = [(_name(member), (listing.kind, listing.container, member)) for member in listing.members]
    _check_count(len(targets), f"--target={target}")
    clash = next((name for name, count in collections.Counter(name for name, _ in targets).items() if count > 1), None)
    if clash:
        raise UserError(f"--target={target}: two images are both named {clash!r} once made file names; rename one.")
    return targets


def read_targets(targets, generator):
    """uint8 [N, R, R, C]: every target decoded (all before any work: a bad one stops the run at once)."""
    if FLAGS.seeds is not None:
        sampler = Sampler(generator)
        seeds = [seed for _, seed in targets]
        return np.concatenate([images for _, images in
                               sampler.images_for_seeds(seeds, FLAGS.trunc, FLAGS["class"].value)])
    images = []
    for _, (kind, container, member) in targets:
        label = os.path.join(container, member) if kind != "file" else container
        if kind == "file":
            try:
                with open(container, "rb") as file:
                    data = file.read()
            except OSError as error:
                raise UserError(f"target {label} cannot be read ({error.strerror or error}).") from None
        else:
            try:
                data = sources.read_bytes(kind, container, member)
            except SkipImage as skip:
                raise UserError(f"target {label} cannot be read ({skip}).") from None
        images.append(_decode(data, label, generator))
    return np.stack(images)


def psnr(a, b):
    """PSNR in dB of uint8 images [N, ...] against [N, ...] (peak 255)."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2, axis=tuple(range(1, a.ndim)))
    return 10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))


def _summary(values):
    values = np.asarray(values, np.float64)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()), "max": float(values.max())}


def project():
    if FLAGS.batch_size < 1 or FLAGS.video_every < 1:
        raise UserError(f"--batch_size and --video_every must be >= 1, got {FLAGS.batch_size} and {FLAGS.video_every}.")
    config = ProjectionConfig(space=FLAGS.space, num_steps=FLAGS.steps, learning_rate=FLAGS.lr, w_noise=FLAGS.w_noise,
                              optimize_noise=FLAGS.optimize_noise, noise_regularize=FLAGS.noise_regularize)
    tool_flags.check_sampling_flags()
    targets = list_targets()
    check_output_dir(FLAGS.outdir, output_names([name for name, _ in targets]), "--outdir", FLAGS.overwrite)
    if FLAGS.lpips or FLAGS.loss == "lpips":
        make_distance("lpips", FLAGS.lpips)  # the weights are checked before the network is loaded
    generator = tool_flags.load_network()
    labels = class_labels(FLAGS["class"].value, generator.config.label_size, 1)
    images = read_targets(targets, generator)
    distance = make_distance(FLAGS.loss, FLAGS.lpips)
    lpips = LPIPS(FLAGS.lpips) if FLAGS.lpips else None
    print(f"Projecting {len(targets)} image(s) into {'W+' if FLAGS.space == 'w_plus' else 'W'} of a "
          f"{generator.stage} px network: {FLAGS.steps} steps, loss {FLAGS.loss}, batches of {FLAGS.batch_size}")
    projector = Projector(generator, config, distance, None if labels is None else labels[0])
    os.makedirs(FLAGS.outdir, exist_ok=True)
    bar = ProgressBar(len(targets) * FLAGS.steps, unit="steps", rate_unit="steps/s")
    results, start = [], time.time()
    for first in range(0, len(targets), FLAGS.batch_size):
        batch, batch_images = targets[first:first + FLAGS.batch_size], images[first:first + FLAGS.batch_size]
        frames = []

        def callback(step, w_opt, noise, first=first, batch=batch, frames=frames):
            bar.update(first * FLAGS.steps + (step + 1) * len(batch))
            if FLAGS.video != "none" and (step % FLAGS.video_every == 0 or step == FLAGS.steps - 1):
                frames.append(render(projector.generator, projector.broadcast(w_opt), noise or None))

        projection = projector.project(batch_images, seed=FLAGS.seed, first_index=first, callback=callback)
        results += write_outputs(batch, batch_images, projection, frames, lpips)
    bar.close()
    seconds = time.time() - start
    figures = {key: _summary([r[key] for r in results]) for key in results[0] if key != "name"}
    record = {"network": FLAGS.network, "target": FLAGS.target, "seeds": FLAGS.seeds, "space": FLAGS.space,
              "loss": FLAGS.loss, "steps": FLAGS.steps, "resolution": generator.stage, "count": len(results),
              "seconds": seconds, "seconds_per_image": seconds / len(results), "summary": figures, "images": results}
    with atomic_output(os.path.join(FLAGS.outdir, RESULTS)) as partial, open(partial, "w") as file:
        json.dump(record, file, indent=1)
    shown = ", ".join(f"{key} {value['mean']:.4g} +- {value['std']:.2g}" for key, value in figures.items())
    print(f"Projected {len(results)} image(s) in {seconds:.1f} s ({seconds / len(results):.1f} s each): {shown}")
    print(f"Wrote {FLAGS.outdir}/NAME.npz, -target.png, -projection.png, -compare.png and {RESULTS}")


def write_outputs(batch, targets, projection, frames, lpips):
    """Write every target's files; returns their figures."""
    results = []
    psnrs, similarities = psnr(projection.images, targets), ms_ssim(projection.images, targets)
    perceptual = None
    if lpips is not None:
        perceptual = lpips(projection.images / 127.5 - 1.0, targets / 127.5 - 1.0).numpy()
    for k, (name, _) in enumerate(batch):
        figures = {"psnr": float(psnrs[k]), "ms_ssim": float(similarities[k]), "loss": float(projection.distances[k])}
        if perceptual is not None:
            figures["lpips"] = float(perceptual[k])
        latent = Latent(projection.ws, projection.noise).one(k)
        latent.metadata = {"space": FLAGS.space, "loss": FLAGS.loss, "num_steps": FLAGS.steps, "target": name,
                           "network": FLAGS.network, "psnr": figures["psnr"], "distance": figures["loss"]}
        save_latent(os.path.join(FLAGS.outdir, f"{name}.npz"), latent)
        write_png(os.path.join(FLAGS.outdir, f"{name}-target.png"), targets[k])
        write_png(os.path.join(FLAGS.outdir, f"{name}-projection.png"), projection.images[k])
        write_png(os.path.join(FLAGS.outdir, f"{name}-compare.png"), tile([[targets[k], projection.images[k]]]))
        if frames:
            video = np.stack([np.concatenate([targets[k], frame[k]], axis=1) for frame in frames])
            write_video(os.path.join(FLAGS.outdir, f"{name}.{FLAGS.video}"), video, fps=10)
        results.append({"name": name, **figures})
    return results


if __name__ == "__main__":
    tool_flags.run("project.py", project)
