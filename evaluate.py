"""Score a network or a folder of images: ``python evaluate.py --network=RUN --data=DATASET --metrics=swd,fid``.

The fakes are ``--num_images`` images drawn from the network (z ~ N(0, I), no truncation, random noise;
a snapshot taken while growing is up-sampled to its full resolution), or the images of ``--images`` (a
folder or .zip made by anything, resized as the dataset preparation does); the reals are the prepared
dataset ``--data`` at the same resolution. One JSON line per metric on stdout; when ``--network`` is a
run directory they are also appended to its ``metrics.jsonl`` (checked before any work). A file of
``--images`` that does not decode is named in a warning and passed over.
"""

import json
import os

import numpy as np
from absl import flags

import tool_flags
from keras_stylegan import metrics
from keras_stylegan.errors import UserError, warn
from keras_stylegan.metrics.fid import DEFAULT_CACHE_DIR
from keras_stylegan.metrics.image_sets import dataset_batches, generated_batches
from keras_stylegan.output_paths import check_appendable_file, check_creatable_dir
from keras_stylegan.training.precision import resolve_policy
from keras_stylegan.training.rundir import OPTIONS_FILE
from pipelines import sources
from pipelines.builtin import resolve_data
from pipelines.errors import SkipImage
from pipelines.image_decode import decode_image
from pipelines.manifest import manifest_sha256, read_manifest
from pipelines.progress import ProgressBar
from pipelines.reader import make_dataset

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
flags.DEFINE_string("images", None, "Score these images instead of a network: a folder (searched recursively) "
                    "or a .zip of image files.")
flags.DEFINE_string("data", None, "The reals: a prepared dataset directory or builtin:NAME.")
flags.DEFINE_string("metrics", "swd", f"Comma-separated metrics: {', '.join(metrics.METRICS)}.")
flags.DEFINE_integer("num_images", None, "Images of each set (PPL: paths); default: each metric's own (swd "
                     "16384, ms_ssim 10000, fid 50000, ppl_* 100000, as the papers).")
flags.DEFINE_integer("batch_size", 32, "Images per generator call and per reals batch.")
flags.DEFINE_enum("mixed_precision", "float32", ["auto", "float32", "float16", "bfloat16"],
                  "Precision the generator computes in (its variables stay float32).")
flags.DEFINE_string("inception", None, "classify_image_graph_def.pb (from inception-2015-12-05.tgz) for fid.")
flags.DEFINE_string("lpips", None, "LPIPS-VGG16 weights (.npz, layout in the README) for the ppl_* metrics.")
flags.DEFINE_bool("ppl_crop", False, "PPL: crop to the central face region as the paper did for FFHQ.")
flags.DEFINE_string("stats_cache", DEFAULT_CACHE_DIR, "Where fid caches the reals' Inception statistics.")
flags.DEFINE_string("cache_dir", os.path.join(os.path.expanduser("~"), ".cache", "keras-stylegan"),
                    "Where builtin:NAME datasets are prepared on first use.")
flags.DEFINE_integer("seed", 0, "Seed of the latents, the noise, the reals' order and the metrics' draws.")


def folder_batches(source, resolution, channels, batch_size, count):
    """Yield uint8 batches of the first ``count`` images of a folder or .zip that decode, decoded as the dataset
    preparation does; each file that does not decode is named in a warning. A UserError when fewer than
    ``count`` decode."""
    listing = sources.list_source(source)
    batch, done, skipped = [], 0, []
    for member in listing.members:
        if done + len(batch) == count:
            break
        try:
            batch.append(decode_image(sources.read_bytes(listing.kind, listing.container, member), resolution,
                                      channels))
        except SkipImage as reason:
            skipped.append(member)
            warn(f"--images: {member} passed over ({reason}).")
            continue
        if len(batch) == batch_size:
            yield np.stack(batch)
            done, batch = done + len(batch), []
    if batch:
        yield np.stack(batch)
        done += len(batch)
    if done < count:
        raise UserError(f"--images={source}: {done} of its {len(listing.members)} image files decode (passed over: "
                        f"{', '.join(skipped[:3])}{', ...' if len(skipped) > 3 else ''}), the metrics compare {count}; "
                        f"give --num_images={done} or more images.")


def counted(batches, bar, done):
    """``batches``, adding their images to ``done[0]`` and reporting it to the progress bar."""
    for batch in batches:
        done[0] += len(batch)
        bar.update(done[0])
        yield batch


def evaluate():
    names = metrics.parse_metrics(FLAGS.metrics)
    if not names:
        raise UserError(f"--metrics is empty; give one or more of {', '.join(metrics.METRICS)} (e.g. --metrics=swd).")
    if (FLAGS.network is None) == (FLAGS.images is None):
        raise UserError("give either --network=SRC (a network to draw images from) or --images=DIR_OR_ZIP.")
    if FLAGS.batch_size < 1 or (FLAGS.num_images is not None and FLAGS.num_images < 2):
        raise UserError(f"--batch_size must be >= 1 and --num_images >= 2, got {FLAGS.batch_size} and "
                        f"{FLAGS.num_images}.")
    run_dir = FLAGS.network if FLAGS.network and os.path.isfile(os.path.join(FLAGS.network, OPTIONS_FILE)) else None
    if run_dir:
        check_appendable_file(os.path.join(run_dir, metrics.METRICS_FILE), "--network")
    if "fid" in names:
        check_creatable_dir(FLAGS.stats_cache, "--stats_cache")
    options = metrics.MetricOptions(inception=FLAGS.inception or "", cache_dir=FLAGS.stats_cache,
                                    lpips=FLAGS.lpips or "", ppl_crop=FLAGS.ppl_crop, batch_size=FLAGS.batch_size,
                                    seed=FLAGS.seed)
    data_dir = resolve_data(FLAGS.data, FLAGS.cache_dir)
    manifest = read_manifest(data_dir)
    channels = int(manifest["channels"])
    generator = None
    if FLAGS.network is not None:
        generator = tool_flags.load_network().with_policy(resolve_policy(FLAGS.mixed_precision))
        resolution = generator.config.resolution
        if generator.config.num_channels != channels:
            raise UserError(f"the network draws {generator.config.num_channels}-channel images, --data holds "
                            f"{channels}-channel ones.")
        def fakes(n):
            return generated_batches(generator, n, FLAGS.batch_size, FLAGS.seed)
        source = {"network": FLAGS.network, "stage": generator.stage, "alpha": generator.alpha}
    else:
        resolution = int(manifest["resolution"])
        def fakes(n):
            return folder_batches(FLAGS.images, resolution, channels, FLAGS.batch_size, n)
        source = {"images": FLAGS.images}
    if str(resolution) not in manifest["resolutions"]:
        raise UserError(f"--data holds images up to {manifest['resolution']} px, the network draws {resolution} px "
                        "(prepare the dataset at that resolution).")
    metrics.check_options(names, options, resolution, has_generator=generator is not None)
    if FLAGS.images is not None:
        found = len(sources.list_source(FLAGS.images).members)
        wanted = max(FLAGS.num_images or metrics.METRICS[name].default_images for name in names)
        if found < wanted:
            raise UserError(f"--images={FLAGS.images} holds {found} image files, the metrics compare {wanted} "
                            "(give --num_images at most that, or more images).")

    def reals(n):
        batch = min(FLAGS.batch_size, int(manifest["count"]))
        return dataset_batches(make_dataset(data_dir, resolution, batch, mirror=False, seed=FLAGS.seed))

    total = sum(2 * (FLAGS.num_images or metrics.METRICS[name].default_images) for name in names)
    bar, done = ProgressBar(total), [0]
    inputs = metrics.MetricInputs(
        fakes=lambda n: counted(fakes(n), bar, done), reals=lambda n: counted(reals(n), bar, done),
        resolution=resolution, channels=channels, reals_key=f"manifest_sha256={manifest_sha256(manifest)}",
        generator=generator)
    extra = {**source, "data": FLAGS.data}
    for record in metrics.evaluate(names, inputs, options, FLAGS.num_images, extra):
        bar.close()
        print(json.dumps(record, sort_keys=True), flush=True)
        if run_dir:
            metrics.append_record(os.path.join(run_dir, metrics.METRICS_FILE), record)


if __name__ == "__main__":
    tool_flags.run("evaluate.py", evaluate)
