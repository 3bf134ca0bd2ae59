"""StyleGAN's networks: mapping, synthesis, generator and discriminator."""

from keras_stylegan.networks.discriminator import Discriminator
from keras_stylegan.networks.generator import Generator
from keras_stylegan.networks.mapping import Mapping
from keras_stylegan.networks.synthesis import StyledLayer, Synthesis, SynthesisBlock

__all__ = ["Discriminator", "Generator", "Mapping", "StyledLayer", "Synthesis", "SynthesisBlock"]
