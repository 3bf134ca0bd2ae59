"""Conditional training (label_size > 0): the step conditions G and D on the batch's labels, a run with
labelled data trains, resumes and its Gs generates each class; mismatched data and networks are clear errors."""

import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_stylegan import load_generator
from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.errors import UserError
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.training.config import TrainingConfig
from keras_stylegan.training.run import run
from keras_stylegan.training.schedule import ProgressiveSchedule
from pipelines.prepare import prepare
from pipelines.reader import make_dataset
from tiny_gan import tiny_model

CLASSES = 3


def labelled_batches(resolution, batch, classes_present):
    """A repeating batch of random reals whose one-hot labels cycle through ``classes_present``."""
    images = tf.random.stateless_uniform([batch, resolution, resolution, 3], [0, 1], -1.0, 1.0)
    labels = tf.one_hot([classes_present[i % len(classes_present)] for i in range(batch)], CLASSES)
    return tf.data.Dataset.from_tensors((images, labels)).repeat()


def test_train_step_conditions_g_and_d_on_the_labels_of_the_batch():
    model = tiny_model(label_size=CLASSES)
    embedding = model.generator.named_weights()["mapping/label_embedding"]
    projection = model.discriminator.block(4).dense1.kernel
    embedding_before, projection_before = embedding.numpy(), projection.numpy()
    model.set_stage(8, 4)
    history = model.fit(labelled_batches(8, 4, [0, 1]), steps_per_epoch=3, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["d_loss"]).all() and np.isfinite(history.history["g_loss"]).all()
    changed_rows = np.abs(embedding.numpy() - embedding_before).sum(axis=1) > 0
    changed_cols = np.abs(projection.numpy() - projection_before).sum(axis=0) > 0
    # Only the classes in the batch reach G's label embedding (rows) and D's output projection (columns).
    assert changed_rows.tolist() == [True, True, False]
    assert changed_cols.tolist() == [True, True, False]


def test_labelled_data_for_unconditional_networks_and_the_reverse_are_clear_errors():
    with pytest.raises(ValueError, match=r"the data has labels but the networks are unconditional \(label_size 0\)"):
        model = tiny_model()
        model.set_stage(8, 4)
        model.fit(labelled_batches(8, 4, [0]), steps_per_epoch=1, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"conditional \(label_size=3\) but the data has no labels"):
        model = tiny_model(label_size=CLASSES)
        model.set_stage(8, 4)
        model.fit(tf.data.Dataset.from_tensors(tf.zeros([4, 8, 8, 3])).repeat(), steps_per_epoch=1, epochs=1,
                  verbose=0)


@pytest.fixture(scope="module")
def labelled_data(tmp_path_factory):
    """Twelve 8 px images in three class folders (red, green, blue), prepared with --labels=folders."""
    root = tmp_path_factory.mktemp("labelled")
    rng = np.random.default_rng(0)
    for c, name in enumerate(["red", "green", "blue"]):
        os.makedirs(root / "src" / name)
        for i in range(4):
            pixels = rng.integers(0, 60, (8, 8, 3), dtype=np.uint8)
            pixels[..., c] += 180
            Image.fromarray(pixels).save(root / "src" / name / f"{i}.png")
    prepare(str(root / "src"), str(root / "data"), 8, labels="folders", workers=1, show_progress=False)
    return str(root / "data")


def conditional_config(outdir, total_kimg, resume="auto"):
    arch = ArchitectureConfig(resolution=8, label_size=CLASSES, latent_size=16, dlatent_size=16, mapping_layers=2,
                              mapping_fmaps=16, fmap_base=32, fmap_max=16, mbstd_group_size=4)
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=8, total_kimg=total_kimg, minibatch_base=4)
    return TrainingConfig(architecture=arch, schedule=schedule, outdir=str(outdir), config_name="conditional",
                          mixed_precision="float32", strategy="default", tick_kimg=0.016, snapshot_kimg=0.016,
                          image_snapshot_kimg=0.032, grid_size=6, resume=resume)


def test_conditional_run_trains_resumes_and_generates_each_class(tmp_path, labelled_data):
    def factory(resolution, global_batch, input_context, seed):
        return make_dataset(labelled_data, resolution, global_batch, seed=seed, input_context=input_context)

    run_dir = run(conditional_config(tmp_path, 0.032), factory)
    grid = np.asarray(Image.open(os.path.join(run_dir, "fakes-000000.032.png")))
    assert grid.shape == (CLASSES * 65 - 1, 2 * 65 - 1, 3)  # a row per class, grid_size // classes columns
    run(conditional_config(tmp_path, 0.048, resume=run_dir), factory)
    log = open(os.path.join(run_dir, "log.txt")).read()
    assert "Resuming run" in log and "Done: 0.048 kimg" in log

    G = load_generator(run_dir)  # the newest .keras snapshot
    assert G.config.label_size == CLASSES
    sampler = Sampler(G)
    per_class = [next(sampler.images_for_seeds([0, 1], 1.0, c))[1] for c in range(CLASSES)]
    assert all(images.shape == (2, 8, 8, 3) for images in per_class)
    assert not np.array_equal(per_class[0], per_class[1]) and not np.array_equal(per_class[1], per_class[2])
    with pytest.raises(UserError, match=r"conditional with 3 classes and --class=3 is out of range"):
        next(sampler.images_for_seeds([0], 1.0, 3))
