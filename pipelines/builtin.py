"""Prepare-on-first-use cache of the embedded datasets (``builtin:NAME``, see :mod:`pipelines.builtin_registry`)."""

import os

from keras_stylegan.output_paths import check_creatable_dir
from pipelines import builtin_registry, manifest, prepare
from pipelines.errors import DatasetError


def ensure_builtin(
    name,  # a key of builtin_registry.BUILTINS
    cache_dir,  # prepared datasets are kept here, one directory per name/resolution/channels/encoding
    resolution=None,  # final resolution; None: the dataset's default (64 for twemoji)
    channels=3,
    encoding="raw",
    show_progress=True,  # progress bar on stderr while preparing the first time
):
    """Return the directory of builtin ``name`` prepared at ``resolution``, preparing it on first use.

    The preparation is atomic (:func:`pipelines.prepare.prepare` builds beside the target and renames),
    so concurrent or interrupted first uses never leave a half-written dataset in the cache.
    """
    builtin_registry.source_folder(name)
    resolution = resolution or builtin_registry.BUILTINS[name].resolution
    output = os.path.join(cache_dir, f"{name}-{resolution}px-{channels}ch-{encoding}")
    if os.path.isfile(os.path.join(output, manifest.MANIFEST_NAME)):
        manifest.read_manifest(output)
        return output
    check_creatable_dir(cache_dir, "--cache_dir")
    try:
        prepare.prepare(f"builtin:{name}", output, resolution, channels=channels, encoding=encoding,
                        workers=1, show_progress=show_progress)
    except (OSError, DatasetError):  # another process may have finished first (rename / exists)
        if not os.path.isfile(os.path.join(output, manifest.MANIFEST_NAME)):
            raise  # not a concurrent first use that finished before this one
    return output


def resolve_data(data, cache_dir):
    """The prepared dataset directory of a tool's ``--data`` (a directory, or builtin:NAME prepared on first
    use in ``cache_dir``); a DatasetError saying what to do when there is none."""
    if not data:
        raise DatasetError("--data is required: a prepared dataset directory or builtin:NAME.")
    if data.startswith("builtin:"):
        return ensure_builtin(data[len("builtin:"):], cache_dir)
    if not os.path.isdir(data):
        raise DatasetError(f"--data={data}: no such directory; prepare one with python -m pipelines.prepare_dataset.")
    return data
