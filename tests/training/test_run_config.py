"""TrainingConfig: options.json round trip, validation and architecture differences."""

import dataclasses
import json

import pytest

from keras_stylegan.augment import AugmentConfig
from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.training.config import TrainingConfig, architecture_differences
from keras_stylegan.training.losses import LossConfig
from keras_stylegan.training.schedule import ProgressiveSchedule


def _config(**arch):
    architecture = ArchitectureConfig(resolution=8, fmap_base=32, fmap_max=16, **arch)
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=4, minibatch_dict={4: 8, 8: 4},
                                   g_lrate_dict={8: 0.002})
    return TrainingConfig(architecture=architecture, schedule=schedule, loss=LossConfig(loss="wgan_gp"),
                          augment=AugmentConfig(augment="ada", ada_kimg=20.0), seed=3, nan_policy="rollback")


def test_round_trip_through_json_keeps_int_resolution_keys():
    config = _config()
    restored = TrainingConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored == config
    assert restored.schedule.minibatch_dict == {4: 8, 8: 4}
    assert restored.schedule.minibatch(8) == 4


def test_a_run_saved_before_augmentation_existed_reads_as_no_augmentation():
    values = _config().to_dict()
    del values["augment"]
    assert TrainingConfig.from_dict(values).augment == AugmentConfig()


@pytest.mark.parametrize("options, message", [
    (dict(augment="adaptive"), "augment must be one of none, diffaug, ada; got 'adaptive'"),
    (dict(augment="diffaug", diffaug_policy="color,zoom"), r"diffaug_policy='color,zoom': unknown DiffAugment "
                                                            r"policies \['zoom'\]"),
    (dict(augment="diffaug", diffaug_policy=""), "augment=diffaug needs at least one diffaug_policy"),
    (dict(augment="ada", augment_p=1.5), r"augment_p=1.5 must be in \[0, 1\]"),
    (dict(augment="diffaug", augment_p=0.5), "augment_p=0.5 sets ADA's strength: it needs augment=ada"),
    (dict(augment="ada", ada_target=1.0), r"ada_target=1.0 must be in \(-1, 1\)"),
    (dict(augment="ada", ada_kimg=0.0), "ada_kimg=0.0 must be > 0"),
    (dict(augment="ada", ada_interval=0), "ada_interval=0 must be an integer >= 1"),
    (dict(augment="ada", ada_p_max=1.2), r"ada_p_max=1.2 must be in \[0, 1\]"),
])
def test_bad_augment_options_are_one_clear_error(options, message):
    with pytest.raises(ValueError, match=message):
        AugmentConfig(**options)


def test_ada_needs_rgb_or_grey_images():
    with pytest.raises(ValueError, match="augment=ada transforms colours of RGB or grey images; these have 4 channels"):
        dataclasses.replace(_config(), architecture=ArchitectureConfig(resolution=8, num_channels=4, fmap_base=32,
                                                                       fmap_max=16))
    assert dataclasses.replace(_config(), augment=AugmentConfig(augment="diffaug"),
                               architecture=ArchitectureConfig(resolution=8, num_channels=4)).augment.policy == (
        "color", "translation", "cutout")


def test_unknown_saved_option_is_a_clear_error():
    values = _config().to_dict()
    values["schedule"]["lod_kimg"] = 1
    with pytest.raises(ValueError, match="unknown schedule options \\['lod_kimg'\\]"):
        TrainingConfig.from_dict(values)


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="nan_policy"):
        dataclasses.replace(_config(), nan_policy="ignore")
    with pytest.raises(ValueError, match="final_resolution 8 differs"):
        dataclasses.replace(_config(), architecture=ArchitectureConfig(resolution=16))
    with pytest.raises(ValueError, match="snapshot_kimg must be > 0"):
        dataclasses.replace(_config(), snapshot_kimg=0)


def test_metric_options_are_checked_before_a_run_starts():
    assert dataclasses.replace(_config(), metrics="swd", metrics_kimg=2).metrics_interval_kimg == 2
    assert dataclasses.replace(_config(), metrics="swd").metrics_interval_kimg == _config().snapshot_kimg
    with pytest.raises(ValueError, match=r"unknown metric 'nope' \(registered: swd, ms_ssim, fid, ppl_zfull, ppl_zend, ppl_wfull, ppl_wend, augment_leak\)"):
        dataclasses.replace(_config(), metrics="swd,nope")
    with pytest.raises(ValueError, match="FID needs the Inception graph .* --inception=PATH"):
        dataclasses.replace(_config(), metrics="fid")
    with pytest.raises(ValueError, match="ms_ssim needs images of at least 11 px, these are 8 px"):
        dataclasses.replace(_config(), metrics="ms_ssim")
    with pytest.raises(ValueError, match="path length needs LPIPS-VGG16 weights"):
        dataclasses.replace(_config(), metrics="ppl_wend")
    with pytest.raises(ValueError, match="metrics_images >= 2"):
        dataclasses.replace(_config(), metrics_images=1)


def test_architecture_differences_name_each_changed_option():
    assert architecture_differences(_config().architecture, _config().architecture) == []
    assert architecture_differences(_config().architecture, _config(latent_size=64, use_noise=False).architecture) == [
        "latent_size 512 -> 64", "use_noise True -> False"]
