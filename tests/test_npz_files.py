"""The tools' small .npz files (latents, directions): written atomically, and each way a file can be wrong is one
line naming what it is and what to give instead."""

import zipfile

import numpy as np
import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.npz_files import load_npz, save_npz


def test_arrays_read_back_as_written_and_nothing_is_left_beside_them(tmp_path):
    save_npz(tmp_path / "d.npz", {"direction": np.arange(3, dtype=np.float32), "source": np.asarray("labels")})
    arrays = load_npz(str(tmp_path / "d.npz"), "direction", "make one")
    np.testing.assert_array_equal(arrays["direction"], [0, 1, 2])
    assert arrays["source"] == "labels" and sorted(p.name for p in tmp_path.iterdir()) == ["d.npz"]


def test_a_missing_cut_foreign_or_pickled_file_is_one_line(tmp_path):
    save_npz(tmp_path / "good.npz", {"w": np.zeros([1, 4, 8], np.float32)})
    data = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[:len(data) // 2])
    (tmp_path / "notes.npz").write_text("SEED,LABEL\n")
    with zipfile.ZipFile(tmp_path / "garbled.npz", "w") as archive:
        archive.writestr("w.npy", b"\x93NUMPY garbled header")
    np.savez(tmp_path / "objects.npz", w=np.array([{"a": 1}], dtype=object))
    cases = {"none.npz": "latent {} does not exist (give an .npz written by project.py).",
             "cut.npz": "latent {} is not a complete .npz archive (cut short, or another kind of file); give an .npz "
                        "written by project.py.",
             "notes.npz": "latent {} is not a complete .npz archive",
             "garbled.npz": "latent {} cannot be read (ValueError: ",
             "objects.npz": "latent {} cannot be read (ValueError: "}
    for name, message in cases.items():
        path = str(tmp_path / name)
        with pytest.raises(UserError) as raised:
            load_npz(path, "latent", "give an .npz written by project.py")
        assert str(raised.value).startswith(message.format(path)), str(raised.value)
        assert "\n" not in str(raised.value)
