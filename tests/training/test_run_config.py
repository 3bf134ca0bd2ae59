"""TrainingConfig: options.json round trip, validation and architecture differences."""

import dataclasses
import json

import pytest

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.training.config import TrainingConfig, architecture_differences
from keras_stylegan.training.losses import LossConfig
from keras_stylegan.training.schedule import ProgressiveSchedule


def _config(**arch):
    architecture = ArchitectureConfig(resolution=8, fmap_base=32, fmap_max=16, **arch)
    schedule = ProgressiveSchedule(final_resolution=8, start_resolution=4, minibatch_dict={4: 8, 8: 4},
                                   g_lrate_dict={8: 0.002})
    return TrainingConfig(architecture=architecture, schedule=schedule, loss=LossConfig(loss="wgan_gp"),
                          seed=3, nan_policy="rollback")


def test_round_trip_through_json_keeps_int_resolution_keys():
    config = _config()
    restored = TrainingConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored == config
    assert restored.schedule.minibatch_dict == {4: 8, 8: 4}
    assert restored.schedule.minibatch(8) == 4


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
    with pytest.raises(ValueError, match=r"unknown metric 'nope' \(registered: swd, ms_ssim, fid, ppl_zfull, ppl_zend, ppl_wfull, ppl_wend\)"):
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
