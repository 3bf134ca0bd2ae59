"""Must-show 3: fine-tuning from an official pickle (``init_from``): a new run whose G, D and Gs start
from the pickle's variables, at its resolution, on real data (builtin twemoji prepared at 32 px)."""

import os

import numpy as np
import pytest
import tensorflow as tf

from official_pickle import load_fixture, write_fixture_pickle

from keras_stylegan import Discriminator, Generator
from keras_stylegan.augment import AugmentConfig
from keras_stylegan.legacy import read_official
from keras_stylegan.training.config import ConfigError, TrainingConfig
from keras_stylegan.training.run import run
from keras_stylegan.training.schedule import ProgressiveSchedule
from pipelines.builtin import ensure_builtin
from pipelines.reader import make_dataset


def fine_tune_config(outdir, official, architecture, total_kimg=0.008, augment=None):
    schedule = ProgressiveSchedule(final_resolution=architecture.resolution, start_resolution=architecture.resolution,
                                   total_kimg=total_kimg, minibatch_base=4, minibatch_dict={})
    return TrainingConfig(architecture=architecture, schedule=schedule, outdir=str(outdir), config_name="ft",
                          mixed_precision="float32", strategy="default", tick_kimg=0.008, snapshot_kimg=0.008,
                          image_snapshot_kimg=0.008, grid_size=4, init_from=str(official),
                          augment=augment or AugmentConfig())


def restore(prefix, architecture):
    """G, D and Gs of a training checkpoint, as {weight path: array} each."""
    networks = {"generator": Generator(architecture), "discriminator": Discriminator(architecture),
                "ema_generator": Generator(architecture)}
    tf.train.Checkpoint(**{key: net.named_weights() for key, net in networks.items()}).restore(prefix).expect_partial()
    return {key: {name: v.numpy() for name, v in net.named_weights().items()} for key, net in networks.items()}


@pytest.mark.parametrize("augment", [None, pytest.param(AugmentConfig(augment="ada", augment_p=0.5),
                                                         marks=pytest.mark.slow)], ids=["none", "ada"])
def test_a_new_run_starts_from_the_official_g_d_and_gs_and_trains(tmp_path, augment):
    """Also the transfer-learning case of ADA: fine-tuning an official model on a small set, D seeing augmented
    images."""
    g_vars, d_vars, _ = load_fixture("r32")
    gs_vars = {name: 0.5 * value for name, value in g_vars.items()}  # Gs distinct from G
    official = write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran", gs_vars=gs_vars)
    model = read_official(official)
    data_dir = ensure_builtin("twemoji", str(tmp_path / "cache"), resolution=32, show_progress=False)

    def dataset_factory(resolution, global_batch, input_context, seed):
        return make_dataset(data_dir, resolution, global_batch, mirror=False, seed=seed, input_context=input_context)

    run_dir = run(fine_tune_config(tmp_path / "runs", official, model.architecture, augment=augment), dataset_factory)
    log = open(os.path.join(run_dir, "log.txt")).read()
    assert f"G, D and Gs from the official {official}" in log and "Done: 0.008 kimg" in log

    start = restore(os.path.join(run_dir, "checkpoints", "ckpt-0"), model.architecture)
    for key, role in (("generator", "G"), ("discriminator", "D"), ("ema_generator", "Gs")):
        assert start[key].keys() == model.weights[role].keys()
        for name, value in model.weights[role].items():
            np.testing.assert_array_equal(start[key][name], value, err_msg=f"{role} {name}")
    # the same, by hand from the official names
    np.testing.assert_array_equal(start["generator"]["mapping/dense3/kernel"], g_vars["G_mapping/Dense3/weight"])
    np.testing.assert_array_equal(start["ema_generator"]["w_avg"], gs_vars["dlatent_avg"])
    np.testing.assert_array_equal(start["discriminator"]["b32/conv0/kernel"], d_vars["32x32/Conv0/weight"])

    end = restore(os.path.join(run_dir, "checkpoints", "ckpt-8"), model.architecture)  # two steps of 4 images
    for key in ("generator", "discriminator", "ema_generator"):
        changed = [name for name in start[key] if not np.array_equal(start[key][name], end[key][name])]
        assert len(changed) > len(start[key]) // 2, key
    assert not os.path.exists(tmp_path / "ran")


def test_init_from_with_another_architecture_is_an_error_before_anything_is_written(tmp_path):
    official = write_fixture_pickle(tmp_path / "official.pkl", "r32", tmp_path / "ran")
    architecture = read_official(official).architecture
    narrower = type(architecture)(**{**architecture.to_dict(), "fmap_max": 32})
    with pytest.raises(ConfigError, match=r"--init_from=.*official.pkl: architecture options differ .*fmap_max 64 -> 32"):
        run(fine_tune_config(tmp_path / "runs", official, narrower), dataset_factory=None)
    assert not os.path.exists(tmp_path / "runs")
