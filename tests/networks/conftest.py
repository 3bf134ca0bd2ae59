import pytest

from keras_stylegan import ArchitectureConfig, Discriminator, Generator

TINY = dict(
    resolution=32, fmap_base=128, fmap_max=32, latent_size=16, dlatent_size=16, mapping_layers=2, mapping_fmaps=16
)


@pytest.fixture(scope="module")
def tiny_config():
    return ArchitectureConfig(**TINY)


@pytest.fixture(scope="module")
def tiny_nets(tiny_config):
    return Generator(tiny_config), Discriminator(tiny_config)
