import pytest

from keras_stylegan import ArchitectureConfig


def test_ffhq_defaults_channel_schedule():
    cfg = ArchitectureConfig()
    # nf(stage) = min(8192 / 2**stage, 512): 512 up to 32 px, then halving.
    assert [cfg.channels_at(r) for r in cfg.resolutions] == [512, 512, 512, 512, 256, 128, 64, 32, 16]
    assert cfg.num_layers == 18
    assert cfg.num_layers_at(8) == 4
    assert [cfg.is_fused(r) for r in (64, 128)] == [False, True]


@pytest.mark.parametrize("resolution", [0, 2, 48, 100])
def test_bad_resolution_is_a_clear_error(resolution):
    with pytest.raises(ValueError, match="power of two"):
        ArchitectureConfig(resolution=resolution)


def test_dict_round_trip_and_unknown_key():
    cfg = ArchitectureConfig(resolution=64, fmap_max=32)
    assert ArchitectureConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown architecture options"):
        ArchitectureConfig.from_dict({"resolution": 64, "fmap_maxx": 1})


def test_stage_check():
    cfg = ArchitectureConfig(resolution=32)
    assert cfg.check_stage(None) == 32
    with pytest.raises(ValueError, match="stage must be"):
        cfg.check_stage(64)
