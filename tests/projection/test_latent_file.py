"""Latent files: what project.py writes is read back as it was, stylegan2-ada's layout is read, and a latent of
another network is one line saying what differs."""

import numpy as np
import pytest

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.errors import UserError
from keras_stylegan.projection import Latent, latent_count, latent_files, load_latent, save_latent

CONFIG = ArchitectureConfig(resolution=8, latent_size=8, dlatent_size=8, mapping_layers=1, mapping_fmaps=8,
                            fmap_base=32, fmap_max=8)


@pytest.fixture(scope="module")
def generator():
    return Generator(CONFIG)


def _latent(count=1):
    rng = np.random.default_rng(0)
    ws = rng.normal(size=(count, 4, 8)).astype(np.float32)
    noise = [rng.normal(size=(count, r, r, 1)).astype(np.float32) for r in (4, 4, 8, 8)]
    return Latent(ws, noise, {"space": "w_plus", "psnr": 31.5, "num_steps": 1000})


def test_a_saved_latent_reads_back_as_it_was(generator, tmp_path):
    latent = _latent(2)
    save_latent(tmp_path / "a.npz", latent)
    loaded = load_latent(str(tmp_path / "a.npz"), generator)
    np.testing.assert_array_equal(loaded.ws, latent.ws)
    for a, b in zip(loaded.noise, latent.noise):
        np.testing.assert_array_equal(a, b)
    assert loaded.metadata == {"space": "w_plus", "psnr": 31.5, "num_steps": 1000}
    assert sorted(np.load(tmp_path / "a.npz").files) == ["noise0", "noise1", "noise2", "noise3", "num_steps", "psnr",
                                                          "space", "w"]


def test_stylegan2_ada_layout_and_one_w_for_all_layers_are_read(generator, tmp_path):
    ws = np.random.default_rng(1).normal(size=(3, 4, 8)).astype(np.float32)
    np.savez(tmp_path / "projected_w.npz", w=ws)
    loaded = load_latent(str(tmp_path / "projected_w.npz"), generator)
    np.testing.assert_array_equal(loaded.ws, ws)
    assert loaded.noise is None
    np.savez(tmp_path / "one.npz", w=ws[:, 0])
    np.testing.assert_array_equal(load_latent(str(tmp_path / "one.npz"), generator).ws, np.repeat(ws[:, :1], 4, 1))


@pytest.mark.parametrize("arrays, message", [
    ({"w": np.zeros([1, 6, 8])}, r"w is \[1, 6, 8\], the network takes \[N, 4, 8\]"),
    ({"w": np.zeros([1, 4, 16])}, r"w is \[1, 4, 16\], the network takes \[N, 4, 8\]"),
    ({"latent": np.zeros([1, 4, 8])}, "holds no array 'w' \\(it holds latent\\)"),
    ({"w": np.zeros([1, 4, 8]), "noise0": np.zeros([1, 8, 8])}, "its noise images are"),
])
def test_a_latent_of_another_network_is_one_line(generator, tmp_path, arrays, message):
    np.savez(tmp_path / "x.npz", **arrays)
    with pytest.raises(UserError, match=message):
        load_latent(str(tmp_path / "x.npz"), generator)


def test_the_latents_a_path_names_are_listed_and_counted_without_a_network(generator, tmp_path):
    save_latent(tmp_path / "b.npz", _latent(2))
    save_latent(tmp_path / "a.npz", _latent(1))
    (tmp_path / "notes.txt").write_text("not a latent")
    assert latent_files(str(tmp_path)) == [str(tmp_path / "a.npz"), str(tmp_path / "b.npz")]
    assert [latent_count(path) for path in latent_files(str(tmp_path))] == [1, 2]
    assert latent_files(str(tmp_path / "b.npz")) == [str(tmp_path / "b.npz")]
    with pytest.raises(UserError, match="notes.txt is not an .npz file or a folder"):
        latent_files(str(tmp_path / "notes.txt"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="empty holds no .npz latent files"):
        latent_files(str(tmp_path / "empty"))
    np.savez(tmp_path / "flat.npz", w=np.zeros([8]))
    with pytest.raises(UserError, match=r"w is \[8\], not \[N, num_layers, w_dim\] or \[N, w_dim\]"):
        latent_count(str(tmp_path / "flat.npz"))


def test_one_latent_of_a_file_keeps_its_own_noise_images():
    latent = _latent(3)
    one = latent.one(1)
    np.testing.assert_array_equal(one.ws, latent.ws[1:2])
    for ours, theirs in zip(one.noise, latent.noise):
        np.testing.assert_array_equal(ours, theirs[1:2])
    assert one.metadata == latent.metadata and Latent(latent.ws).one(2).noise is None
