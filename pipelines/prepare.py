"""Prepare a dataset once: images -> sharded multi-resolution TFRecords + ``manifest.json``.

The library entry point behind ``python -m pipelines.prepare_dataset`` (and ``builtin:NAME``), after
the official ProGAN/StyleGAN ``dataset_tool.py`` (Karras et al. 2018, App. A): one record set per
resolution 4..R so that early stages never decode full-size images. Everything is checked before any
work; the dataset is built in a hidden temporary directory beside ``output`` and renamed into place
only when complete, with ``manifest.json`` written last, so an interrupted run never leaves a
directory that looks like a dataset.
"""

import collections
import concurrent.futures
import glob
import math
import multiprocessing
import os
import shutil
import tempfile
import time

from PIL import Image

from keras_stylegan.errors import UserError
from keras_stylegan.output_paths import check_output_tree, move_into_place
from pipelines import image_decode, image_job, manifest, progress, pyramid, record_writer, sources
from pipelines.errors import DatasetError

PARTIAL_MARKER = ".partial-"  # temporary build directories are named ".<output name>.partial-XXXX"
JOB_CHUNK = 16  # files per task sent to a worker process
CHUNKS_IN_FLIGHT_PER_WORKER = 4


def prepare(
    source,  # folder (recursive), .zip archive, LMDB folder (LSUN), or "builtin:NAME"
    output,  # dataset directory to create
    resolution,  # final resolution R, a power of two >= 4; records are written for 4, 8, ..., R
    channels=3,  # 3 (RGB) or 1 (grayscale, BT.601 luma)
    transform="center-crop",  # non-square images: "center-crop", "letterbox" (pad) or "resize" (stretch)
    background=(255, 255, 255),  # RGB behind transparent pixels and letterbox bars
    max_images=None,  # stop after this many images are written (None: all)
    shuffle_seed=0,  # order of preparation (and so of the shards); None keeps sorted path order
    shards=None,  # shards per resolution (None: sized from the data, record_writer.default_num_shards)
    workers=None,  # decoding processes (None: CPUs - 1, the main process writes; 0 or 1: decode in this process)
    encoding="raw",  # record payload: "raw" uint8 pixels (fastest to read) or "png" (smaller)
    overwrite=False,  # replace an existing output directory
    min_size=0,  # skip images whose shorter side is below this many pixels
    max_pixels=Image.MAX_IMAGE_PIXELS,  # skip larger images as decompression bombs (PIL's guard)
    show_progress=True,  # draw a progress bar on stderr
    labels=None,  # class labels of a folder or .zip: None, "folders" or "json" (pipelines.labels)
):
    """Prepare ``source`` into ``output``; return the run summary (see :func:`format_summary`).

    Raises ``DatasetError`` with a one-line message, before any work, for a missing or unreadable
    source, an invalid argument or an existing output without ``overwrite``; and, after the work, when
    no image at all could be written (nothing is left behind then).
    """
    started = time.monotonic()
    _check_arguments(resolution, channels, transform, background, encoding, max_images, shards, min_size)
    output = os.path.abspath(output)
    try:
        check_output_tree(output, "--output", overwrite, marker=manifest.MANIFEST_NAME, what="prepared dataset")
    except UserError as error:
        raise DatasetError(str(error)) from None
    listing = sources.list_source(source, shuffle_seed, labels)
    if not listing.members:
        raise DatasetError(f"Source {source!r} holds no image files ({', '.join(sources.IMAGE_EXTENSIONS)}).")
    planned = min(len(listing.members), max_images or len(listing.members))
    num_shards = shards or record_writer.default_num_shards(planned, resolution, channels)
    options = image_job.JobOptions(
        kind=listing.kind,
        container=listing.container,
        resolution=resolution,
        channels=channels,
        transform=transform,
        background=tuple(background),
        min_size=min_size,
        max_pixels=max_pixels,
        encoding=encoding,
    )
    parent = os.path.dirname(output)
    leftovers = sorted(glob.glob(os.path.join(parent, f".{glob.escape(os.path.basename(output))}{PARTIAL_MARKER}*")))
    try:
        os.makedirs(parent, exist_ok=True)
        building = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}{PARTIAL_MARKER}", dir=parent)
    except OSError as e:
        raise DatasetError(f"Output {output!r} cannot be created ({e.strerror or e}): choose another --output or fix "
                           "its permissions.") from None
    try:
        writer = record_writer.ShardedRecordWriter(
            building, pyramid.resolutions_up_to(resolution), math.ceil(planned / num_shards), channels
        )
        skipped = [{"file": name, "reason": reason} for name, reason in listing.ignored]
        class_counts = [0] * len(listing.classes or [])
        bar = progress.ProgressBar(planned) if show_progress else None
        for done, (member, encoded, reason) in enumerate(_run_jobs(options, listing.members, workers), 1):
            if encoded is None:
                skipped.append({"file": member, "reason": reason})
            else:
                label = None if listing.labels is None else listing.labels[member]
                writer.add(encoded, label)
                if label is not None:
                    class_counts[label] += 1
            if bar:
                bar.update(done, len(skipped))
            if writer.written == max_images:
                break
        if bar:
            bar.close()
        if writer.written == 0:
            raise DatasetError(f"No image of {source!r} could be prepared: {len(skipped)} file(s) skipped "
                               f"({_reason_counts_text(skipped)}); nothing was written.")
        shard_lists = writer.close()
        manifest.write_manifest(building, {
            "format": manifest.FORMAT,
            "format_version": manifest.FORMAT_VERSION,
            "resolution": resolution,
            "channels": channels,
            "encoding": encoding,
            "count": writer.written,
            "resolutions": {str(r): {"count": writer.written, "shards": s} for r, s in shard_lists.items()},
            "source": listing.description,
            "transform": transform,
            "background": list(background),
            "min_size": min_size,
            "shuffle_seed": shuffle_seed,
            "max_images": max_images,
            "skipped": skipped,
            "labels": None if listing.classes is None else {
                "source": listing.label_source,
                "label_size": len(listing.classes),
                "classes": listing.classes,
                "counts": class_counts,
            },
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })
        move_into_place(building, output)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    seconds = time.monotonic() - started
    return {
        "output": output,
        "written": writer.written,
        "skipped": len(skipped),
        "skipped_by_reason": _reason_counts(skipped),
        "seconds": seconds,
        "images_per_second": writer.written / max(seconds, 1e-9),
        "leftovers": leftovers,
    }


def _check_arguments(resolution, channels, transform, background, encoding, max_images, shards, min_size):
    try:
        pyramid.resolutions_up_to(int(resolution))
    except (TypeError, ValueError):
        raise DatasetError(f"--resolution must be a power of two >= 4 (4, 8, ..., 1024), got {resolution}.") from None
    if channels not in (1, 3):
        raise DatasetError(f"--channels must be 3 (RGB) or 1 (grayscale), got {channels}.")
    if transform not in image_decode.TRANSFORMS:
        raise DatasetError(f"--transform must be one of {', '.join(image_decode.TRANSFORMS)}, got {transform!r}.")
    if encoding not in image_job.ENCODINGS:
        raise DatasetError(f"--encoding must be one of {', '.join(image_job.ENCODINGS)}, got {encoding!r}.")
    if len(background) != 3 or any(not 0 <= int(c) <= 255 for c in background):
        raise DatasetError(f"--background must be three values in 0..255 (R,G,B), got {background}.")
    if max_images is not None and max_images < 1:
        raise DatasetError(f"--max_images must be >= 1, got {max_images}.")
    if shards is not None and shards < 1:
        raise DatasetError(f"--shards must be >= 1, got {shards}.")
    if min_size < 0:
        raise DatasetError(f"--min_size must be >= 0, got {min_size}.")


def _run_jobs(options, members, workers):
    """Yield ``image_job.run_job`` results in source order, from ``workers`` spawned processes or inline.

    Chunks of ``JOB_CHUNK`` files go to the workers, at most ``CHUNKS_IN_FLIGHT_PER_WORKER`` per worker at
    a time, so memory stays bounded for millions of files; a worker that dies (a crash inside an image
    decoder) stops the run with a clear error instead of a hang.
    """
    workers = max(1, (os.cpu_count() or 1) - 1) if workers is None else workers
    if workers <= 1:
        yield from (image_job.run_job((options, member)) for member in members)
        return
    chunks = ([(options, m) for m in members[i:i + JOB_CHUNK]] for i in range(0, len(members), JOB_CHUNK))
    # spawn, not fork: this process has TensorFlow's threads running.
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending = collections.deque()
        for chunk in chunks:
            pending.append(pool.submit(image_job.run_jobs, chunk))
            if len(pending) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                yield from _chunk_results(pending.popleft())
        while pending:
            yield from _chunk_results(pending.popleft())
    finally:  # also when the caller stops early (--max_images reached): drop the chunks not yet started
        pool.shutdown(wait=True, cancel_futures=True)


def _chunk_results(future):
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        raise DatasetError("A decoding worker process died (a crash inside an image decoder?): run again with "
                           "--workers=1 to see which file.") from None


def _reason_counts(skipped):
    return dict(collections.Counter(s["reason"].split(":")[0] for s in skipped).most_common())


def _reason_counts_text(skipped):
    return ", ".join(f"{n} {reason}" for reason, n in _reason_counts(skipped).items()) or "none"


def format_summary(summary):
    """The end-of-run report: written, skipped by reason, seconds, images/s, and leftover partial builds."""
    lines = [f"Wrote {summary['written']} images to {summary['output']} in {summary['seconds']:.1f} s "
             f"({summary['images_per_second']:.0f} images/s)."]
    if summary["skipped"]:
        lines.append(f"Skipped {summary['skipped']} file(s) (reasons in manifest.json):")
        lines.extend(f"  {n:6d}  {reason}" for reason, n in summary["skipped_by_reason"].items())
    if summary["leftovers"]:
        lines.append(f"Found {len(summary['leftovers'])} partial build(s) left by interrupted runs; delete them once "
                     f"no other prepare is running: {' '.join(summary['leftovers'])}")
    return "\n".join(lines)
