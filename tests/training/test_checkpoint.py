"""RunCheckpoint: numbering by images seen, keep-last-N, restore, and refusal to save NaN."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from checkpoint_faults import CORRUPTIONS, DATA, NEWEST_DAMAGED

from keras_stylegan.training.checkpoint import (CheckpointMismatchError, NonFiniteStateError, RunCheckpoint,
                                                non_finite_variables)


def _items():
    return {"w": tf.Variable([1.0, 2.0]), "images_seen": tf.Variable(0, dtype=tf.int64)}


def test_saves_numbered_by_images_keeps_last_n_and_restores(tmp_path):
    items = _items()
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), items, max_to_keep=2)
    for seen in (16, 32, 48):
        items["w"].assign([seen, -seen])
        items["images_seen"].assign(seen)
        ckpt.save(seen)
    assert ckpt.latest.endswith("ckpt-48")
    assert len(ckpt.manager.checkpoints) == 2
    fresh = _items()
    assert RunCheckpoint(str(tmp_path / "ckpt"), fresh).restore() == ckpt.latest
    np.testing.assert_array_equal(fresh["w"].numpy(), [48.0, -48.0])
    assert int(fresh["images_seen"].numpy()) == 48


def test_an_optional_item_missing_from_an_older_checkpoint_keeps_its_value(tmp_path):
    """A run written before ADA existed has no ``augment`` item: it resumes (p stays as it is); a checkpoint that
    holds the item restores it, and a required item that is missing is still an error."""
    older = _items()
    RunCheckpoint(str(tmp_path / "ckpt"), older).save(16)
    fresh = {**_items(), "augment": {"p": tf.Variable(0.0)}}
    assert RunCheckpoint(str(tmp_path / "ckpt"), fresh, optional=("augment",)).restore().endswith("ckpt-16")
    assert float(fresh["augment"]["p"].numpy()) == 0.0 and fresh["w"].numpy().tolist() == [1.0, 2.0]
    newer = {**_items(), "augment": {"p": tf.Variable(0.375)}}
    RunCheckpoint(str(tmp_path / "new"), newer, optional=("augment",)).save(32)
    RunCheckpoint(str(tmp_path / "new"), fresh, optional=("augment",)).restore()
    assert float(fresh["augment"]["p"].numpy()) == 0.375
    with pytest.raises(CheckpointMismatchError, match="reads, but does not fit"):
        RunCheckpoint(str(tmp_path / "ckpt"), fresh).restore(str(tmp_path / "ckpt" / "ckpt-16"))


def test_restore_without_checkpoint_returns_none(tmp_path):
    assert RunCheckpoint(str(tmp_path / "none"), _items()).restore() is None


def test_nan_state_is_never_written(tmp_path):
    items = _items()
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), items)
    ckpt.save(0)
    items["w"].assign([np.nan, 1.0])
    assert non_finite_variables(items) == [items["w"].name]
    with pytest.raises(NonFiniteStateError, match="NaN/Inf"):
        ckpt.save(16)
    assert ckpt.latest.endswith("ckpt-0")


def test_nan_in_a_variable_list_or_a_keras_model_is_found_too():
    model = ListHolder()
    listed = [tf.Variable([0.0, 1.0]), tf.Variable([2.0])]
    assert non_finite_variables({"model": model, "list": listed}) == []
    listed[1].assign([np.inf])
    model.blocks[1].kernel.assign(tf.fill([2, 2], np.nan))
    assert non_finite_variables({"model": model, "list": listed}) == [model.blocks[1].kernel.path, listed[1].name]


def test_non_chief_writes_to_a_temporary_directory_only(tmp_path):
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), _items(), is_chief=False)
    path = ckpt.save(8)
    assert not os.path.exists(tmp_path / "ckpt")
    assert os.path.exists(path + ".index")
    ckpt.close()
    assert not os.path.exists(path + ".index")


class ListHolder(keras.Model):
    """Sub-layers in a Python list, as the networks keep their blocks."""

    def __init__(self):
        super().__init__()
        self.blocks = [keras.layers.Dense(2, name=f"dense{i}") for i in range(2)]
        for block in self.blocks:
            block.build((None, 2))
        self.built = True


def test_weights_of_layers_kept_in_lists_are_saved_and_restored(tmp_path):
    model = ListHolder()
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), {"model": model})
    saved = [v.numpy().copy() for v in model.variables]
    ckpt.save(1)
    for v in model.variables:
        v.assign(tf.zeros(v.shape))
    RunCheckpoint(str(tmp_path / "ckpt"), {"model": model}).restore()
    assert len(saved) == 4
    for before, v in zip(saved, model.variables):
        np.testing.assert_array_equal(before, v.numpy())


def test_a_checkpoint_of_networks_as_lists_from_version_0_1_is_refused_clearly(tmp_path):
    from keras_stylegan.training.checkpoint import CheckpointFormatError

    old = tf.train.Checkpoint(generator=[tf.Variable([1.0]), tf.Variable([2.0])])
    path = old.save(str(tmp_path / "ckpt"))
    with pytest.raises(CheckpointFormatError, match="cannot resume it; .* --resume=none"):
        RunCheckpoint(str(tmp_path), {"generator": {"w_avg": tf.Variable([0.0])}}).restore(path)


def test_networks_are_checkpointed_by_weight_name(tmp_path):
    from keras_stylegan import ArchitectureConfig, Generator

    cfg = ArchitectureConfig(resolution=8, fmap_base=32, fmap_max=8, latent_size=8, dlatent_size=8,
                             mapping_layers=1, mapping_fmaps=8)
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), {"generator": Generator(cfg).named_weights()})
    names = {name for name, _ in tf.train.list_variables(ckpt.save(0))}
    assert "generator/synthesis.Sb8.Sconv1.Sadain.Saffine.Skernel/.ATTRIBUTES/VARIABLE_VALUE" in names
    assert "generator/w_avg/.ATTRIBUTES/VARIABLE_VALUE" in names


def _three_checkpoints(directory):
    """ckpt-16, ckpt-32, ckpt-48 whose w holds [n, -n]; returns the directory."""
    items = _items()
    ckpt = RunCheckpoint(str(directory), items)
    for seen in (16, 32, 48):
        items["w"].assign([seen, -seen])
        items["images_seen"].assign(seen)
        ckpt.save(seen)
    return str(directory)


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_restore_finds_the_newest_checkpoint_that_reads_and_sets_the_damaged_one_aside(tmp_path, corruption):
    directory = _three_checkpoints(tmp_path / "ckpt")
    CORRUPTIONS[corruption](directory)
    lines = []
    fresh = _items()
    restored = RunCheckpoint(directory, fresh, log=lines.append).restore()
    expected = 32 if corruption in NEWEST_DAMAGED else 48
    assert restored == os.path.join(directory, f"ckpt-{expected}")
    np.testing.assert_array_equal(fresh["w"].numpy(), [expected, -expected])
    damaged = tmp_path / "ckpt" / "damaged"
    if corruption in NEWEST_DAMAGED:
        assert len(lines) == 1 and lines[0].startswith(f"checkpoint {directory}/ckpt-48 does not read (")
        assert sorted(os.listdir(damaged)) and all(name.startswith("ckpt-48.") for name in os.listdir(damaged))
        assert not any(name.startswith("ckpt-48.") for name in os.listdir(directory))
    else:
        assert lines == [] and not damaged.exists()
    assert tf.train.latest_checkpoint(directory) == restored  # the index file names a checkpoint that reads


def test_after_recovery_saving_goes_on_and_keeps_the_last_n(tmp_path):
    directory = _three_checkpoints(tmp_path / "ckpt")
    os.truncate(os.path.join(directory, DATA), 0)
    items = _items()
    ckpt = RunCheckpoint(directory, items, max_to_keep=3, log=lambda line: None)
    ckpt.restore()
    for seen in (48, 64, 80):
        ckpt.save(seen)
    assert sorted(f for f in os.listdir(directory) if f.endswith(".index")) == [
        "ckpt-48.index", "ckpt-64.index", "ckpt-80.index"]
    assert sorted(os.listdir(os.path.join(directory, "damaged"))) == [DATA, "ckpt-48.index"]  # kept, not deleted


def test_when_no_checkpoint_reads_it_is_an_error_not_a_fresh_start(tmp_path):
    from keras_stylegan.training.checkpoint import CheckpointRecoveryError

    directory = _three_checkpoints(tmp_path / "ckpt")
    for n in (16, 32, 48):
        os.truncate(os.path.join(directory, f"ckpt-{n}.data-00000-of-00001"), 0)
    lines = []
    with pytest.raises(CheckpointRecoveryError, match=r"none of the 3 checkpoint\(s\) .* --resume=none"):
        RunCheckpoint(directory, _items(), log=lines.append).restore()
    assert len(lines) == 3
    assert len(os.listdir(os.path.join(directory, "damaged"))) == 6


def test_a_save_killed_midway_leaves_a_temp_directory_that_is_removed(tmp_path):
    directory = _three_checkpoints(tmp_path / "ckpt")
    os.makedirs(os.path.join(directory, "ckpt-64_temp"))
    open(os.path.join(directory, "ckpt-64_temp", "part-00000-of-00001.data-00000-of-00001"), "wb").write(b"x")
    lines = []
    assert RunCheckpoint(directory, _items(), log=lines.append).restore().endswith("ckpt-48")
    assert lines == [f"removed {directory}/ckpt-64_temp: an interrupted checkpoint save"]
    assert not os.path.exists(os.path.join(directory, "ckpt-64_temp"))


def test_a_non_chief_worker_skips_a_damaged_checkpoint_without_moving_it(tmp_path):
    directory = _three_checkpoints(tmp_path / "ckpt")
    os.truncate(os.path.join(directory, DATA), 0)
    lines = []
    ckpt = RunCheckpoint(directory, _items(), is_chief=False, log=lines.append)
    assert ckpt.restore().endswith("ckpt-32")
    assert lines[0].startswith(f"skipped checkpoint {directory}/ckpt-48")
    assert os.path.exists(os.path.join(directory, DATA)) and not os.path.exists(os.path.join(directory, "damaged"))
    ckpt.close()


def _files_and_bytes(directory):
    return {name: open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory))}


def test_a_checkpoint_written_with_other_architecture_options_is_a_mismatch_naming_them_and_nothing_moves(tmp_path):

    written = {"resolution": 8, "fmap_max": 16, "latent_size": 16}
    RunCheckpoint(str(tmp_path / "ckpt"), _items(), architecture=written).save(16)
    before = _files_and_bytes(tmp_path / "ckpt")
    edited = {**written, "fmap_max": 32, "latent_size": 8}
    with pytest.raises(CheckpointMismatchError) as error:
        RunCheckpoint(str(tmp_path / "ckpt"), _items(), architecture=edited, log=pytest.fail).restore()
    assert ("(fmap_max 16 in ckpt-16, 32 in options.json; latent_size 16 in ckpt-16, 8 in options.json); nothing was "
            "moved") in str(error.value)
    assert _files_and_bytes(tmp_path / "ckpt") == before  # no damaged/, nothing rewritten


def test_a_readable_checkpoint_that_does_not_fit_the_variables_is_a_mismatch_not_damage(tmp_path):

    RunCheckpoint(str(tmp_path / "ckpt"), _items()).save(16)  # records no options, as before they were recorded
    before = _files_and_bytes(tmp_path / "ckpt")
    wider = {"w": tf.Variable([1.0, 2.0, 3.0]), "images_seen": tf.Variable(0, dtype=tf.int64)}
    with pytest.raises(CheckpointMismatchError, match=r"ckpt-16 reads, but does not fit .*incompatible tensor with shape"):
        RunCheckpoint(str(tmp_path / "ckpt"), wider, architecture={"fmap_max": 16}, log=pytest.fail).restore()
    more = {**_items(), "steps": tf.Variable(0, dtype=tf.int64)}
    with pytest.raises(CheckpointMismatchError, match="not bound to checkpointed values"):
        RunCheckpoint(str(tmp_path / "ckpt"), more, log=pytest.fail).restore()
    assert _files_and_bytes(tmp_path / "ckpt") == before


def test_a_checkpoint_that_recorded_no_options_restores_and_the_next_one_records_them(tmp_path):
    from keras_stylegan.training.checkpoint import written_architecture

    old = _items()
    old["w"].assign([5.0, 6.0])
    RunCheckpoint(str(tmp_path / "ckpt"), old).save(16)
    assert written_architecture(str(tmp_path / "ckpt" / "ckpt-16")) is None
    items = _items()
    ckpt = RunCheckpoint(str(tmp_path / "ckpt"), items, architecture={"fmap_max": 16})
    assert ckpt.restore().endswith("ckpt-16")
    np.testing.assert_array_equal(items["w"].numpy(), [5.0, 6.0])
    assert written_architecture(ckpt.save(32)) == {"fmap_max": 16}


def test_optimizers_of_another_precision_are_a_mismatch_not_damage(tmp_path):
    """A float32 run resumed with --mixed_precision=float16: the loss-scale optimizer's step counter meets the
    checkpoint's float variable (a dtype error from TensorFlow, as damage raises): every file reads, so it is a
    mismatch and the checkpoints stay where they are."""

    def items(optimizer):
        weights = [tf.Variable([1.0, 2.0])]
        optimizer.build(weights)
        return {"weights": weights, "optimizer": optimizer}

    RunCheckpoint(str(tmp_path / "ckpt"), items(keras.optimizers.Adam())).save(16)
    before = _files_and_bytes(tmp_path / "ckpt")
    float16 = items(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()))
    with pytest.raises(CheckpointMismatchError, match=r"ckpt-16 reads, but does not fit .*; nothing was moved: .* give "
                                                      r"the --mixed_precision the run was trained with"):
        RunCheckpoint(str(tmp_path / "ckpt"), float16, log=pytest.fail).restore()
    assert _files_and_bytes(tmp_path / "ckpt") == before
