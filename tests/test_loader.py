"""load_generator: run directories, snapshots, .keras files and training checkpoints -> one Generator."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator, Generator, load_generator
from keras_stylegan.errors import UserError
from keras_stylegan.training.config import TrainingConfig
from keras_stylegan.training.run import run
from keras_stylegan.training.schedule import ProgressiveSchedule
from keras_stylegan.training.snapshot import list_snapshots

ARCH = ArchitectureConfig(resolution=8, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                          fmap_base=32, fmap_max=16)


def synthetic(resolution, global_batch, input_context, seed):
    images = np.random.RandomState(seed).uniform(-1, 1, [global_batch, resolution, resolution, 3])
    return tf.data.Dataset.from_tensors(images.astype(np.float32)).repeat()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """4 px for 16 images, 8 px faded in over the next 16, 8 px stable to 48; checkpoints every 24 images
    (the one at 24 falls in the middle of the fade-in, alpha 0.5)."""
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=4, lod_training_kimg=0.016,
                                   lod_transition_kimg=0.016, total_kimg=0.048, minibatch_base=8)
    config = TrainingConfig(architecture=ARCH, schedule=schedule, outdir=str(tmp_path_factory.mktemp("runs")),
                            config_name="tiny", mixed_precision="float32", strategy="default", tick_kimg=0.008,
                            snapshot_kimg=0.024, image_snapshot_kimg=0.024, grid_size=4, truncation_psi=0.5)
    return run(config, synthetic)


def images(G, psi=None):
    z = np.random.RandomState(1).standard_normal([2, ARCH.latent_size]).astype(np.float32)
    return G(z, truncation_psi=psi, noise_mode="const").numpy()


def test_a_run_writes_a_snapshot_with_every_checkpoint_at_the_stage_reached(run_dir):
    names = [os.path.basename(p) for p in list_snapshots(run_dir)]
    assert names == ["network-snapshot-000000.000.keras", "network-snapshot-000000.024.keras",
                     "network-snapshot-000000.048.keras"]
    middle = load_generator(os.path.join(run_dir, names[1]))
    assert (middle.stage, middle.alpha, middle.truncation_psi) == (8, 0.5, 0.5)
    first = load_generator(os.path.join(run_dir, names[0]))
    assert (first.stage, first.alpha) == (4, 1.0) and images(first).shape == (2, 4, 4, 3)


def test_a_run_directory_gives_its_newest_snapshot_equal_to_gs_of_the_last_checkpoint(run_dir):
    G = load_generator(run_dir)
    from_checkpoint = load_generator(os.path.join(run_dir, "checkpoints", "ckpt-48"))
    assert isinstance(G, Generator) and (G.stage, G.alpha) == (8, 1.0)
    np.testing.assert_array_equal(images(G), images(from_checkpoint))
    np.testing.assert_array_equal(images(G, 0.5), images(from_checkpoint, 0.5))
    assert not np.allclose(images(G), images(Generator(ARCH)))  # trained weights, not a fresh network


def test_a_checkpoint_mid_fade_in_gives_gs_at_that_stage_and_alpha(run_dir):
    for source in ("ckpt-24", "ckpt-24.index"):
        G = load_generator(os.path.join(run_dir, "checkpoints", source))
        assert (G.stage, G.alpha) == (8, 0.5)
    np.testing.assert_array_equal(images(G), images(load_generator(list_snapshots(run_dir)[1])))


def test_a_run_without_snapshots_falls_back_to_its_newest_checkpoint(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "00000-tiny"
    shutil.copytree(run_dir, copy)
    for path in list_snapshots(copy):
        os.remove(path)
    np.testing.assert_array_equal(images(load_generator(copy)), images(load_generator(run_dir)))


def test_sources_that_are_not_networks_are_one_clear_error(tmp_path):
    Discriminator(ARCH).save(tmp_path / "d.keras")
    (tmp_path / "broken.keras").write_bytes(b"not a zip")
    (tmp_path / "plain").mkdir()
    cases = {str(tmp_path / "missing"): "does not exist",
             str(tmp_path / "d.keras"): "holds a Discriminator, not a keras_stylegan Generator",
             str(tmp_path / "broken.keras"): "broken.keras is damaged: it is not a complete .keras archive",
             str(tmp_path / "plain"): "is not a network \\(give a run directory"}
    for source, message in cases.items():
        with pytest.raises(UserError, match=message):
            load_generator(source)


def test_an_official_pickle_gives_its_gs(tmp_path):
    from official_pickle import load_fixture, write_fixture_pickle

    g_vars, _, ref = load_fixture("r32")
    path = write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran")
    G = load_generator(path)
    assert isinstance(G, Generator) and G.name == "Gs" and (G.stage, G.alpha) == (32, 1.0)
    images = G(ref["z"], truncation_psi=1.0, noise_mode="const").numpy()
    np.testing.assert_allclose(images, ref["images"].transpose(0, 2, 3, 1), atol=1e-4)
    assert not os.path.exists(tmp_path / "ran")


def _flip_a_middle_byte(path):
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))


SNAPSHOT_DAMAGE = {  # how a .keras file gets damaged -> what the one line says about it
    "truncated": (lambda path: os.truncate(path, os.path.getsize(path) // 2), "is not a complete .keras archive"),
    "bit-flipped": (_flip_a_middle_byte, "its member model.weights.h5 fails its CRC check (bytes changed)"),
    "emptied": (lambda path: os.truncate(path, 0), "it is empty (0 bytes)"),
}


@pytest.mark.parametrize("damage", list(SNAPSHOT_DAMAGE))
def test_a_damaged_snapshot_is_one_line_and_a_run_falls_back_to_the_newest_that_reads(run_dir, tmp_path, capsys, damage):
    import shutil

    from keras_stylegan.errors import DamagedFileError

    harm, problem = SNAPSHOT_DAMAGE[damage]
    copy = tmp_path / "00000-tiny"
    shutil.copytree(run_dir, copy)
    newest, older = list_snapshots(copy)[-1], list_snapshots(copy)[-2]
    harm(newest)
    with pytest.raises(DamagedFileError, match=re.escape(problem)) as error:
        load_generator(newest)
    assert str(error.value).startswith(f"network file {newest} is damaged: ") and "\n" not in str(error.value)
    G = load_generator(copy)
    np.testing.assert_array_equal(images(G), images(load_generator(older)))
    assert capsys.readouterr().err.splitlines() == [
        f"keras_stylegan: warning: passed over {os.path.basename(newest)} ({error.value.problem}); "
        f"using {os.path.basename(older)}, the newest network of run directory {copy} that reads."]


def test_a_run_whose_snapshots_are_all_damaged_falls_back_to_its_checkpoints_then_says_what_is_there(run_dir, tmp_path,
                                                                                                      capsys):
    import shutil

    from keras_stylegan.errors import DamagedFileError

    copy = tmp_path / "00000-tiny"
    shutil.copytree(run_dir, copy)
    for path in list_snapshots(copy):
        os.truncate(path, 0)
    os.remove(copy / "checkpoints" / "checkpoint")  # the index file gone: the checkpoint files still count
    newest = copy / "checkpoints" / "ckpt-48"
    np.testing.assert_array_equal(images(load_generator(copy)), images(load_generator(run_dir)))
    assert "using ckpt-48, the newest network of run directory" in capsys.readouterr().err
    os.truncate(str(newest) + ".data-00000-of-00001", 100)
    with pytest.raises(DamagedFileError, match=f"checkpoint {newest} is damaged: it does not read \\(Read less bytes"):
        load_generator(newest)
    assert (load_generator(copy).stage, load_generator(copy).alpha) == (8, 0.5)  # ckpt-24, mid fade-in
    for n in (0, 24):
        os.truncate(copy / "checkpoints" / f"ckpt-{n}.data-00000-of-00001", 0)
    with pytest.raises(UserError, match=r"none of the 6 network file\(s\) of run directory .* reads \(the newest, "
                                        r"network-snapshot-000000.048.keras: it is empty \(0 bytes\)\)"):
        load_generator(copy)


def test_a_checkpoint_that_does_not_fit_an_edited_options_json_is_named_a_mismatch(run_dir, tmp_path):
    import json
    import shutil

    copy = tmp_path / "00000-tiny"
    shutil.copytree(run_dir, copy)
    options = json.loads((copy / "options.json").read_text())
    options["config"]["architecture"]["fmap_max"] = 32
    (copy / "options.json").write_text(json.dumps(options))
    with pytest.raises(UserError, match=r"checkpoint .*ckpt-48 was written with other architecture options than the "
                                        r"run's options.json \(fmap_max 16 in ckpt-48, 32 in options.json\)"):
        load_generator(copy / "checkpoints" / "ckpt-48")


@pytest.mark.slow  # 300 loads: about a minute on 2 cores
def test_a_keras_file_damaged_anywhere_is_one_line_never_a_traceback(run_dir, tmp_path):
    """300 damaged copies of a snapshot: cut at random points, a bit flipped in the zip's headers and directory,
    or anywhere. Each loads (a flip where nothing reads it) or is a UserError on one line."""
    import random

    data = open(list_snapshots(run_dir)[-1], "rb").read()
    rng = random.Random(0)
    refused = 0
    for case in range(300):
        damaged = bytearray(data)
        if case % 3 == 0:
            damaged = damaged[:rng.randrange(len(damaged))]
        else:
            where = rng.choice([rng.randrange(200), rng.randrange(len(data) - 600, len(data))]) if case % 3 == 1 else (
                rng.randrange(len(data)))
            damaged[where] ^= 1 << rng.randrange(8)
        path = tmp_path / "damaged.keras"
        path.write_bytes(bytes(damaged))
        try:
            load_generator(path)
        except UserError as error:
            assert "\n" not in str(error) and str(path) in str(error)
            refused += 1
    assert refused > 200
