"""Class labels of a source, read only when asked (``--labels``), stored in the records and the manifest.

- ``folders``: one class per top-level sub-folder of a folder or .zip, classes in sorted name order. Never
  the default: FFHQ ships its images in numbered sub-folders that are not classes.
- ``json``: a ``dataset.json`` at the top of the folder or .zip in stylegan2-ada's format,
  ``{"labels": [["sub/img.png", 3], ...]}``, file names relative with ``/``, classes the integers 0..N-1
  (N = the largest label + 1; classes are named by their number).

Builtin datasets bring their own labels (:mod:`pipelines.builtin_registry`). Every problem is a
``DatasetError`` raised before any image is decoded.
"""

import json
import os
import zipfile

from pipelines.errors import DatasetError

LABEL_SOURCES = ("folders", "json")
DATASET_JSON = "dataset.json"


def folder_labels(members):
    """``(classes, {member: class index})`` from each member's top-level folder."""
    loose = [m for m in members if "/" not in m.replace(os.sep, "/")]
    if loose:
        raise DatasetError(f"--labels=folders: {loose[0]!r} is not inside a class folder ({len(loose)} such file(s)): "
                           f"put every image in a sub-folder named after its class.")
    top = {m: m.replace(os.sep, "/").split("/", 1)[0] for m in members}
    classes = sorted(set(top.values()))
    return classes, {m: classes.index(name) for m, name in top.items()}


def json_labels(kind, container, members):
    """``(classes, {member: class index})`` from the source's ``dataset.json``."""
    where = f"{container}/{DATASET_JSON}"
    try:
        if kind == "zip":
            with zipfile.ZipFile(container) as archive:
                text = archive.read(DATASET_JSON)
        else:
            with open(os.path.join(container, DATASET_JSON), "rb") as f:
                text = f.read()
        entries = json.loads(text)["labels"]
        table = {str(name).replace("\\", "/"): label for name, label in entries}
    except (OSError, KeyError) as e:
        raise DatasetError(f"--labels=json: cannot read {where} ({e}): put a {DATASET_JSON} with "
                           f'{{"labels": [["file.png", class], ...]}} at the top of the source.') from None
    except (ValueError, TypeError) as e:
        raise DatasetError(f"--labels=json: {where} is not {{\"labels\": [[\"file.png\", class], ...]}} ({e}).") from None
    labels = {}
    for member in members:
        label = table.get(member.replace(os.sep, "/"))
        if label is None:
            raise DatasetError(f"--labels=json: {where} has no label for {member!r}: add an entry for every "
                               f"image, or remove the image.")
        if isinstance(label, bool) or not isinstance(label, int) or label < 0:
            raise DatasetError(f"--labels=json: label {label!r} of {member!r} in {where} is outside the range of "
                               f"classes: labels are integers 0, 1, ..., N-1.")
        labels[member] = label
    classes = [str(c) for c in range(max(labels.values(), default=-1) + 1)]
    return classes, labels
