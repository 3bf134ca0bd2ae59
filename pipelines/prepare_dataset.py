"""Command line: ``python -m pipelines.prepare_dataset --source=SRC --output=DIR --resolution=R``, and
``python -m pipelines.prepare_dataset --verify=DIR`` to check a prepared dataset against its manifest.

A thin absl wrapper around :func:`pipelines.prepare.prepare` (ProGAN's ``dataset_tool.py``,
Karras et al. 2018, App. A). Exit status 0 when at least one image was written (or every shard matches the
manifest); 2 with one line ``prepare_dataset: error: ...`` otherwise (bad flags, missing source, existing or
read-only output, no decodable image, damaged shards).
"""

import sys

from absl import app, flags

import tool_flags  # first: TensorFlow's quiet startup
from keras_stylegan.errors import UserError, one_line_errors
from pipelines import image_decode, image_job

FLAGS = flags.FLAGS
flags.DEFINE_string("source", None, "Images to prepare: a folder (searched recursively), a .zip archive, an "
                    "LMDB folder (data.mdb, as LSUN is distributed), or builtin:NAME for a dataset shipped with "
                    "the requirements (builtin:twemoji, builtin:twemoji-faces, builtin:twemoji-faces-train, "
                    "builtin:twemoji-faces-heldout, builtin:twemoji-categories).")
flags.DEFINE_string("output", None, "Dataset directory to create (shards in rNN/ folders plus manifest.json).")
flags.DEFINE_integer("resolution", None, "Final resolution R, a power of two >= 4; records are written for "
                     "every resolution 4, 8, ..., R.")
flags.DEFINE_enum("transform", "center-crop", image_decode.TRANSFORMS, "How non-square images become square: "
                  "center-crop the longer side, letterbox (pad with --background), or resize (stretch).")
flags.DEFINE_enum("channels", "3", ["3", "1"], "3 for RGB, 1 for grayscale (BT.601 luma).")
flags.DEFINE_list("background", ["255", "255", "255"], "R,G,B colour (0..255) behind transparent pixels "
                  "and letterbox bars.")
flags.DEFINE_integer("max_images", None, "Stop after writing this many images (default: all).", lower_bound=1)
flags.DEFINE_integer("shuffle_seed", 0, "Seed of the order images are prepared (and sharded) in; -1 keeps "
                     "sorted path order.")
flags.DEFINE_integer("shards", None, "Shards per resolution (default: about 256 MiB each at the final "
                     "resolution, and at least min(16, images)).", lower_bound=1)
flags.DEFINE_integer("workers", None, "Decoding processes (default: CPUs - 1, as this process writes the "
                     "records; 1 decodes in this process).",
                     lower_bound=0)
flags.DEFINE_enum("encoding", "raw", image_job.ENCODINGS, "Record payload: raw uint8 pixels (fastest to "
                  "read) or png (smaller files, a little more CPU to read).")
tool_flags.define_overwrite_flag()
flags.DEFINE_integer("min_size", 0, "Skip images whose shorter side is below this many pixels.", lower_bound=0)
flags.DEFINE_enum("labels", None, ["folders", "json"], "Read class labels (never by default): folders = one "
                  "class per top-level sub-folder; json = dataset.json at the top of the source in stylegan2-ada's "
                  "format {\"labels\": [[\"file.png\", class], ...]}. builtin:twemoji-categories brings its own.")
flags.DEFINE_string("verify", None, "Instead of preparing: check every shard of this prepared dataset directory "
                    "against its manifest (size and sha256), one line per damaged file.")
tool_flags.define_verbose_flag()
flags.DEFINE_integer("max_pixels", 89478485, "Skip images with more pixels than this as decompression "
                     "bombs (PIL's default guard).", lower_bound=1)


def verify(data_dir):
    """--verify: one line per damaged shard on stderr; a UserError when there is any."""
    from pipelines import manifest

    problems = manifest.shard_problems(data_dir)
    for problem in problems:
        print(f"damaged: {problem}", file=sys.stderr)
    described = manifest.describe(data_dir, manifest.read_manifest(data_dir))
    if problems:
        raise UserError(f"{described}: {len(problems)} shard file(s) damaged (listed above); prepare the dataset "
                        "again (--overwrite) or copy it again from a good copy.")
    print(f"{described}: every shard matches the manifest.")


def prepare_from_flags():
    """One prepare from the flags; prints the summary."""
    missing = [name for name in ("source", "output", "resolution") if FLAGS[name].value is None]
    if missing:
        raise UserError(f"missing --{', --'.join(missing)} (see --helpfull).")
    try:
        background = tuple(int(c) for c in FLAGS.background)
    except ValueError:
        raise UserError(f"--background must be three integers R,G,B in 0..255, got "
                        f"{','.join(FLAGS.background)}.") from None
    from pipelines import prepare  # imported here: spawned decoding workers re-import this module

    summary = prepare.prepare(
        FLAGS.source,
        FLAGS.output,
        FLAGS.resolution,
        channels=int(FLAGS.channels),
        transform=FLAGS.transform,
        background=background,
        max_images=FLAGS.max_images,
        shuffle_seed=None if FLAGS.shuffle_seed < 0 else FLAGS.shuffle_seed,
        shards=FLAGS.shards,
        workers=FLAGS.workers,
        encoding=FLAGS.encoding,
        overwrite=FLAGS.overwrite,
        min_size=FLAGS.min_size,
        max_pixels=FLAGS.max_pixels,
        labels=FLAGS.labels,
    )
    print(prepare.format_summary(summary), file=sys.stderr)


def main(argv):
    """--verify, or one prepare from the flags, inside the one-line error path."""
    tool_flags.quiet_info_logs()
    tool_flags.check_no_arguments(argv)
    with one_line_errors("prepare_dataset", FLAGS.verbose):
        if FLAGS.verify is not None:
            verify(FLAGS.verify)
        else:
            prepare_from_flags()


if __name__ == "__main__":
    app.run(main, flags_parser=tool_flags.flags_parser("prepare_dataset"))
