"""Where images come from: a folder (searched recursively), a .zip archive, an LMDB database of encoded
images (the form LSUN is distributed in: a folder holding ``data.mdb``), or ``builtin:NAME``.

A source is listed once, in the main process, into picklable references ``(container, member)``;
worker processes read each reference's bytes themselves (:func:`read_bytes`), so large datasets are
never held in memory and zip archives are opened once per worker.
"""

import dataclasses
import os
import zipfile
import zlib

import lmdb
import numpy as np

from pipelines import builtin_registry, labels as labels_lib
from pipelines.errors import DatasetError, SkipImage

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
BUILTIN_PREFIX = "builtin:"
LMDB_DATA_FILE = "data.mdb"


@dataclasses.dataclass
class SourceListing:
    """The image files of a source, in the order they will be prepared, and the files passed over."""

    description: str  # how the manifest names the source
    kind: str  # "folder", "zip" or "lmdb"
    container: str  # the folder, the .zip path or the LMDB folder
    members: list  # relative paths (zip member names, LMDB keys) of candidate images, in preparation order
    ignored: list  # (relative path, reason) for files without an image extension
    classes: list = None  # class names in label order; None: unlabelled
    labels: dict = None  # member -> class index (labelled sources only)
    label_source: str = None  # "folders", "json" or "builtin" (labelled sources only)


def list_source(source, shuffle_seed=None, labels=None):
    """List ``source`` (folder, .zip, LMDB or ``builtin:NAME``) or raise ``DatasetError`` before any work.

    Every LMDB entry is a candidate; in folders and zips, files with an image extension are; a builtin
    takes the images of its catalogue. Candidates are sorted by path, then permuted with
    ``numpy.random.default_rng(shuffle_seed)`` when a seed is given, so the same seed always prepares the
    same images in the same order. ``labels`` ("folders" or "json", :mod:`pipelines.labels`) reads class
    labels from a folder or .zip; a labelled builtin brings its own.
    """
    if labels is not None and labels not in labels_lib.LABEL_SOURCES:
        raise DatasetError(f"--labels must be one of {', '.join(labels_lib.LABEL_SOURCES)}, got {labels!r}.")
    description, catalogue = source, None
    if source.startswith(BUILTIN_PREFIX):
        name = source[len(BUILTIN_PREFIX):]
        if labels is not None:
            raise DatasetError(f"--labels={labels} reads labels from a folder or .zip; {source} brings its own "
                               f"(or none): drop --labels.")
        catalogue = builtin_registry.catalogue(name)
        source = builtin_registry.source_folder(name)
        description = f"{description} ({builtin_registry.BUILTINS[name].description})"
    if not os.path.exists(source):
        raise DatasetError(f"Source {source!r} does not exist: give a folder of images, a .zip or an LMDB folder.")
    if os.path.isfile(os.path.join(source, LMDB_DATA_FILE)):
        kind, names = "lmdb", _lmdb_keys(source)
    elif os.path.isdir(source):
        kind, names = "folder", _walk_folder(source)
    elif zipfile.is_zipfile(source):
        kind, names = "zip", _zip_members(source)
    else:
        raise DatasetError(f"Source {source!r} is neither a folder nor a readable .zip archive.")
    if catalogue is not None:
        names = catalogue.files
    if labels is not None and kind == "lmdb":
        raise DatasetError(f"--labels={labels}: an LMDB source has no folders or {labels_lib.DATASET_JSON}; "
                           f"drop --labels.")
    if labels == "json":
        names = [n for n in names if n != labels_lib.DATASET_JSON]
    is_candidate = (lambda name: True) if kind == "lmdb" else (lambda name: name.lower().endswith(IMAGE_EXTENSIONS))
    members = sorted(n for n in names if is_candidate(n))
    ignored = [(n, f"not an image: extension {os.path.splitext(n)[1] or '(none)'} is not one of "
                   f"{' '.join(IMAGE_EXTENSIONS)}") for n in sorted(names) if not is_candidate(n)]
    listing = SourceListing(description, kind, os.path.abspath(source), members, ignored)
    if catalogue is not None and catalogue.classes is not None:
        listing = dataclasses.replace(listing, classes=catalogue.classes, labels=catalogue.labels,
                                      label_source="builtin")
    elif labels == "folders":
        classes, table = labels_lib.folder_labels(members)
        listing = dataclasses.replace(listing, classes=classes, labels=table, label_source=labels)
    elif labels == "json":
        classes, table = labels_lib.json_labels(kind, listing.container, members)
        listing = dataclasses.replace(listing, classes=classes, labels=table, label_source=labels)
    if shuffle_seed is not None:
        order = np.random.default_rng(shuffle_seed).permutation(len(members))
        listing = dataclasses.replace(listing, members=[members[i] for i in order])
    return listing


def _walk_folder(folder):
    try:
        names = []
        for root, dirs, files in os.walk(folder, onerror=_raise):
            dirs.sort()
            names.extend(os.path.relpath(os.path.join(root, f), folder) for f in files)
        return names
    except OSError as e:
        raise DatasetError(f"Cannot read source folder {folder!r}: {e.strerror or e}.") from None


def _raise(error):
    raise error


def _zip_members(path):
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except (OSError, zipfile.BadZipFile) as e:
        raise DatasetError(f"Cannot read zip archive {path!r}: {e}.") from None


def _open_lmdb(path):
    return lmdb.open(path, readonly=True, lock=False, readahead=False, max_readers=256, subdir=True)


def _lmdb_keys(path):
    try:
        with _open_lmdb(path) as env, env.begin() as txn:
            return [key.decode("latin-1") for key in txn.cursor().iternext(keys=True, values=False)]
    except lmdb.Error as e:
        raise DatasetError(f"Cannot read LMDB database {path!r}: {e}.") from None


_open_archives = {}  # zip and LMDB handles of this process, opened on first read


def read_bytes(kind, container, member):
    """The bytes of one candidate, or ``SkipImage`` when the file or zip member cannot be read."""
    if kind == "folder":
        try:
            with open(os.path.join(container, member), "rb") as f:
                return f.read()
        except OSError as e:
            raise SkipImage("unreadable", e.strerror or str(e)) from None
    if kind == "lmdb":
        try:
            if container not in _open_archives:
                _open_archives[container] = _open_lmdb(container)
            with _open_archives[container].begin() as txn:
                data = txn.get(member.encode("latin-1"))
        except lmdb.Error as e:
            raise SkipImage("unreadable", f"LMDB: {e}") from None
        if data is None:
            raise SkipImage("unreadable", "LMDB key not found")
        return data
    try:
        if container not in _open_archives:
            _open_archives[container] = zipfile.ZipFile(container)
        return _open_archives[container].read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
        raise SkipImage("corrupt zip member", str(e)) from None
