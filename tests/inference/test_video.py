"""GIF and MP4 writing: frames, sizes, file types, and nothing left half-written."""

import os

import numpy as np
import pytest
from PIL import Image

from keras_stylegan.errors import UserError
from keras_stylegan.inference.image_io import atomic_output
from keras_stylegan.inference.video import write_video


def frames(count=6, size=8, channels=3):
    ramp = np.linspace(0, 255, count).astype(np.uint8)
    return np.broadcast_to(ramp[:, None, None, None], (count, size, size, channels)).copy()


def test_gif_holds_every_frame_at_the_frame_rate(tmp_path):
    path = str(tmp_path / "walk.gif")
    write_video(path, frames(), fps=20)
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"]) == (6, (8, 8), 50)
        gif.seek(5)
        assert np.asarray(gif.convert("L"))[0, 0] == 255
    write_video(str(tmp_path / "gray.gif"), frames(channels=1))
    assert Image.open(tmp_path / "gray.gif").n_frames == 6


def test_mp4_holds_every_frame_enlarged_to_the_codecs_block_size(tmp_path):
    import imageio.v2 as imageio

    path = str(tmp_path / "walk.mp4")
    write_video(path, frames(count=5, size=8), fps=10)
    with imageio.get_reader(path) as reader:
        read = [frame for frame in reader]
        assert reader.get_meta_data()["fps"] == 10
    assert len(read) == 5 and read[0].shape == (16, 16, 3)
    assert abs(int(read[-1].mean()) - 255) < 8 and abs(int(read[0].mean())) < 8


def test_other_file_types_are_refused_before_writing(tmp_path):
    with pytest.raises(UserError, match=r"\.gif or \.mp4"):
        write_video(str(tmp_path / "walk.avi"), frames())
    assert os.listdir(tmp_path) == []


def test_a_failed_write_leaves_neither_the_file_nor_a_partial_one(tmp_path):
    (tmp_path / "keep.png").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(str(tmp_path / "keep.png")) as partial:
            open(partial, "wb").write(b"half")
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == ["keep.png"] and (tmp_path / "keep.png").read_bytes() == b"old"
