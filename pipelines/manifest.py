"""``manifest.json``: what a prepared dataset holds, written last so that its presence means "complete".

Fields: ``format`` and ``format_version``; ``resolution`` (final R), ``channels``, ``encoding``;
``count`` (images at every resolution); ``resolutions``: ``{"4": {"count": N, "shards": [{"file",
"count", "bytes", "sha256"}]}, ...}``; ``source``, ``transform``, ``background``, ``min_size``,
``shuffle_seed``, ``max_images``; ``skipped``: ``[{"file", "reason"}]``; ``labels``: null (unlabelled) or
``{"source": "folders" | "json" | "builtin", "label_size": N, "classes": [N names], "counts": [N image
counts]}``; ``created`` (UTC, ISO 8601).
"""

import hashlib
import json
import os

from pipelines.errors import DatasetError

MANIFEST_NAME = "manifest.json"
FORMAT = "keras-stylegan-multires-tfrecords"
FORMAT_VERSION = 1
_REQUIRED = ("format", "format_version", "resolution", "channels", "encoding", "count", "resolutions")


def write_manifest(directory, manifest):
    """Write ``manifest`` to ``directory/manifest.json`` through a temporary file and an atomic rename."""
    path = os.path.join(directory, MANIFEST_NAME)
    with open(path + ".partial", "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".partial", path)


def read_manifest(data_dir):
    """Load and check ``data_dir/manifest.json``; raise ``DatasetError`` naming what is wrong.

    Checks the format and version, the required fields, that the resolutions are 4..R and that each
    resolution's shard counts add up to the image count. Shard files are checked by the reader.
    """
    path = os.path.join(data_dir, MANIFEST_NAME)
    if not os.path.isdir(data_dir):
        raise DatasetError(f"Dataset directory {data_dir!r} does not exist: prepare one with "
                           f"`python -m pipelines.prepare_dataset --source=... --output={data_dir}`.")
    if not os.path.isfile(path):
        raise DatasetError(f"{data_dir!r} is not a prepared dataset (no {MANIFEST_NAME}; an interrupted prepare "
                           f"leaves none): run `python -m pipelines.prepare_dataset` again.")
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatasetError(f"Damaged manifest {path!r} ({e}): prepare the dataset again with --overwrite.") from None
    if not isinstance(manifest, dict) or any(k not in manifest for k in _REQUIRED):
        missing = [k for k in _REQUIRED if not isinstance(manifest, dict) or k not in manifest]
        raise DatasetError(f"Damaged manifest {path!r}: missing {', '.join(missing)}; prepare the dataset again.")
    if manifest["format"] != FORMAT or manifest["format_version"] != FORMAT_VERSION:
        raise DatasetError(
            f"Manifest {path!r} is format {manifest['format']!r} version {manifest['format_version']}, this reader "
            f"reads {FORMAT!r} version {FORMAT_VERSION}: prepare the dataset again with this version.")
    expected = [str(4 << i) for i in range(int(manifest["resolution"]).bit_length() - 2)]
    if sorted(manifest["resolutions"], key=int) != expected:
        raise DatasetError(f"Damaged manifest {path!r}: resolutions {sorted(manifest['resolutions'], key=int)} are "
                           f"not 4..{manifest['resolution']}; prepare the dataset again.")
    for r, entry in manifest["resolutions"].items():
        if sum(s["count"] for s in entry["shards"]) != entry["count"] or entry["count"] != manifest["count"]:
            raise DatasetError(f"Damaged manifest {path!r}: shard counts at resolution {r} do not add up to "
                               f"{manifest['count']} images; prepare the dataset again.")
    labels = manifest.get("labels")
    if labels and (len(labels["classes"]) != labels["label_size"] or sum(labels["counts"]) != manifest["count"]):
        raise DatasetError(f"Damaged manifest {path!r}: its classes or class counts do not add up to "
                           f"{manifest['count']} images in {labels['label_size']} classes; prepare the dataset again.")
    return manifest


def manifest_sha256(manifest):
    """Hex SHA-256 of a manifest's content (sorted-key JSON): what a run records of its data, and the key
    of caches derived from the data (e.g. FID statistics)."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def label_size(manifest):
    """Classes of a labelled dataset (the conditional networks' label_size); 0 when unlabelled."""
    labels = manifest.get("labels")
    return int(labels["label_size"]) if labels else 0


def describe(data_dir, manifest):
    """One phrase for error messages: ``dataset 'X' holds 4009 RGB images at resolutions 4..64``."""
    kind = {1: "grayscale", 3: "RGB"}.get(manifest["channels"], f"{manifest['channels']}-channel")
    return (f"dataset {data_dir!r} holds {manifest['count']} {kind} images at resolutions "
            f"4..{manifest['resolution']}")


def shard_files(data_dir, manifest, resolution):
    """Paths of the non-empty shards at ``resolution``; ``DatasetError`` if it is not held, or a file is missing
    or not of the size the manifest gives (a cheap check: :func:`shard_problems` reads every byte)."""
    entry = manifest["resolutions"].get(str(resolution))
    if entry is None:
        raise DatasetError(f"{describe(data_dir, manifest)}, asked for {resolution}: "
                           f"prepare it with --resolution={max(resolution, manifest['resolution'])}.")
    shards = [s for s in entry["shards"] if s["count"] > 0]
    paths = [os.path.join(data_dir, s["file"]) for s in shards]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise DatasetError(f"{describe(data_dir, manifest)}, but {len(missing)} shard file(s) are missing, "
                           f"e.g. {missing[0]!r}: copy the whole dataset directory or prepare it again.")
    for shard, path in zip(shards, paths):
        if "bytes" in shard and os.path.getsize(path) != shard["bytes"]:
            raise DatasetError(f"{describe(data_dir, manifest)}, but shard {path!r} is {os.path.getsize(path)} bytes, "
                               f"the manifest says {shard['bytes']} (damaged or still being copied): check it with "
                               f"python -m pipelines.prepare_dataset --verify={data_dir}.")
    return paths


def shard_problems(data_dir, resolutions=None):
    """``"<path>: <problem>"`` for every shard (of ``resolutions``, default all) that is missing, unreadable,
    of another size or sha256 than the manifest gives; empty when the dataset is intact.

    Reads every byte, so it is for a copied or suspect dataset (``prepare_dataset --verify``, a training that
    met a damaged record), not for each training run.
    """
    manifest = read_manifest(data_dir)
    problems = []
    for r in resolutions or sorted(manifest["resolutions"], key=int):
        if str(r) not in manifest["resolutions"]:
            raise DatasetError(f"{describe(data_dir, manifest)}, asked to verify resolution {r}.")
        for shard in manifest["resolutions"][str(r)]["shards"]:
            path = os.path.join(data_dir, shard["file"])
            try:
                size, digest = os.path.getsize(path), file_sha256(path)
            except OSError as e:
                problems.append(f"{path}: cannot be read ({e.strerror or e})")
                continue
            if size != shard["bytes"]:
                problems.append(f"{path}: {size} bytes, the manifest says {shard['bytes']}")
            elif digest != shard["sha256"]:
                problems.append(f"{path}: its sha256 differs from the manifest's (bytes changed)")
    return problems


def verify_shards(data_dir, resolutions=None):
    """Check every shard (of ``resolutions``, default all) against the manifest; returns the manifest, or
    raises ``DatasetError`` naming the first damaged shard and how many there are."""
    problems = shard_problems(data_dir, resolutions)
    if problems:
        raise DatasetError(f"{len(problems)} damaged shard file(s) in {data_dir!r}, e.g. {problems[0]}: copy or "
                           "prepare the dataset again.")
    return read_manifest(data_dir)


def file_sha256(path):
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
