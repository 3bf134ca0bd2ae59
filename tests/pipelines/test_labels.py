"""Class labels: from sub-folders or stylegan2-ada's dataset.json, into the records and the manifest, read
back one-hot; the builtin Twemoji subsets; every problem one clear error before any work."""

import json
import os

import numpy as np
import pytest

from image_files import png_bytes, run_prepare_cli, write_files
from pipelines import builtin_registry
from pipelines.errors import DatasetError
from pipelines.prepare import prepare
from pipelines.reader import make_dataset, read_manifest

COLOURS = {"cat": (200, 0, 0), "dog": (0, 200, 0), "owl": (0, 0, 200)}  # a flat colour per class
PER_CLASS = {"cat": 3, "dog": 5, "owl": 2}


def class_files():
    """``{"<class>/<i>.png": png}``: each image a flat colour of its class, a different shade per image."""
    files = {}
    for name, n in PER_CLASS.items():
        for i in range(n):
            pixel = np.array(COLOURS[name], np.uint8) + np.uint8(10 * i)
            files[f"{name}/{i}.png"] = png_bytes(np.tile(pixel, (8, 8, 1)))
    return files


def read_back(data_dir):
    """Every (class index of the pixel colour, one-hot label read) pair of the dataset, in one pass."""
    images, labels = next(iter(make_dataset(data_dir, 8, sum(PER_CLASS.values()), mirror=False,
                                            shuffle_buffer=0, repeat=False)))
    colours = np.rint((images.numpy()[:, 0, 0] + 1) * 127.5)
    by_colour = [int(np.argmax(c)) for c in colours]  # red cat, green dog, blue owl
    return by_colour, labels.numpy()


def test_sub_folders_become_classes_stored_in_records_and_manifest(tmp_path):
    write_files(tmp_path / "src", class_files())
    prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, labels="folders", workers=1, show_progress=False)
    labels = read_manifest(str(tmp_path / "out"))["labels"]
    assert labels == {"source": "folders", "label_size": 3, "classes": ["cat", "dog", "owl"], "counts": [3, 5, 2]}
    by_colour, one_hot = read_back(str(tmp_path / "out"))
    assert one_hot.shape == (10, 3) and np.all(one_hot.sum(axis=1) == 1)
    assert [int(np.argmax(row)) for row in one_hot] == by_colour


def test_dataset_json_labels_read_back_the_same_and_sub_folders_are_not_classes_by_default(tmp_path):
    files = class_files()
    table = {"cat": 2, "dog": 0, "owl": 1}
    files["dataset.json"] = json.dumps({"labels": [[n, table[n.split("/")[0]]] for n in files]}).encode()
    write_files(tmp_path / "src", files)
    prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, labels="json", workers=1, show_progress=False)
    manifest = read_manifest(str(tmp_path / "out"))
    assert manifest["labels"]["classes"] == ["0", "1", "2"] and manifest["labels"]["counts"] == [5, 2, 3]
    assert manifest["skipped"] == []  # dataset.json is the labels, not a skipped file
    by_colour, one_hot = read_back(str(tmp_path / "out"))
    rgb_to_json = {0: 2, 1: 0, 2: 1}  # red = cat = 2, green = dog = 0, blue = owl = 1
    assert [int(np.argmax(row)) for row in one_hot] == [rgb_to_json[c] for c in by_colour]

    prepare(str(tmp_path / "src"), str(tmp_path / "plain"), 8, workers=1, show_progress=False)
    assert read_manifest(str(tmp_path / "plain"))["labels"] is None
    batch = next(iter(make_dataset(str(tmp_path / "plain"), 8, 4, seed=0)))
    assert batch.shape == (4, 8, 8, 3)  # images alone


@pytest.mark.parametrize("entries, message", [
    ({"cat/0.png": 0}, r"dataset.json has no label for 'cat/1.png': add an entry for every image"),
    ({"cat/0.png": -1}, r"label -1 of 'cat/0.png' in .*dataset.json is outside the range of classes"),
    ({"cat/0.png": 1.5}, r"label 1.5 of 'cat/0.png' .* outside the range of classes: labels are integers"),
])
def test_dataset_json_problems_are_one_clear_error_before_any_work(tmp_path, entries, message):
    files = {n: d for n, d in class_files().items() if n.startswith("cat/")}
    table = {n: 0 for n in files}
    files["dataset.json"] = json.dumps({"labels": [[n, v] for n, v in {**table, **entries}.items()
                                                   if n in entries or n != "cat/1.png"]}).encode()
    write_files(tmp_path / "src", files)
    with pytest.raises(DatasetError, match=message):
        prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, labels="json", workers=1, show_progress=False)
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_loose_file_or_missing_json_or_labels_for_a_builtin_are_one_line_errors(tmp_path):
    write_files(tmp_path / "src", {**class_files(), "loose.png": class_files()["cat/0.png"]})
    result = run_prepare_cli(f"--source={tmp_path / 'src'}", f"--output={tmp_path / 'out'}", "--resolution=8",
                             "--labels=folders", "--workers=1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "prepare_dataset: error: --labels=folders: 'loose.png' is not inside a class folder (1 such file(s)): put every "
        "image in a sub-folder named after its class.")
    with pytest.raises(DatasetError, match=r"--labels=json: cannot read .*dataset.json"):
        prepare(str(tmp_path / "src"), str(tmp_path / "out"), 8, labels="json", show_progress=False)
    with pytest.raises(DatasetError, match=r"builtin:twemoji-categories brings its own .*drop --labels"):
        prepare("builtin:twemoji-categories", str(tmp_path / "out"), 8, labels="folders", show_progress=False)
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_twemoji_faces_are_the_yellow_smileys():
    files = builtin_registry.catalogue("twemoji-faces").files
    assert 100 <= len(files) <= 110
    for face in ("1f600.png", "1f642.png", "1f92c.png", "263a.png"):  # grinning ... symbols on mouth, U+263A
        assert face in files
    for other in ("1f608.png", "1f47f.png", "1f63a.png", "1f648.png", "1f436.png", "2764.png"):
        assert other not in files  # horns, imp, cat, monkey, dog, heart


def test_twemoji_faces_split_into_97_for_training_and_8_held_out_spread_over_the_set():
    faces = builtin_registry.catalogue("twemoji-faces").files
    train = builtin_registry.catalogue("twemoji-faces-train").files
    heldout = builtin_registry.catalogue("twemoji-faces-heldout").files
    assert len(faces) == 105 and len(train) == 97 and len(heldout) == 8
    assert not set(train) & set(heldout) and sorted(train + heldout) == faces
    assert heldout == [faces[i] for i in (6, 19, 32, 45, 58, 71, 84, 97)]


def test_twemoji_categories_label_each_image_by_its_unicode_category():
    catalogue = builtin_registry.catalogue("twemoji-categories")
    assert catalogue.classes == ["Smileys & Emotion", "People & Body", "Animals & Nature", "Food & Drink",
                                 "Travel & Places", "Activities", "Objects", "Symbols", "Flags"]
    expected = {"1f600.png": "Smileys & Emotion", "1f44d.png": "People & Body", "1f44d-1f3fd.png": "People & Body",
                "1f436.png": "Animals & Nature", "1f34e.png": "Food & Drink", "1f697.png": "Travel & Places",
                "26bd.png": "Activities", "1f4f7.png": "Objects", "2705.png": "Symbols", "1f1eb-1f1f7.png": "Flags"}
    for name, category in expected.items():
        assert catalogue.classes[catalogue.labels[name]] == category, name
    assert "1f3fb.png" not in catalogue.labels  # a skin-tone swatch (Component)
    assert len(catalogue.files) > 3500
