"""keras-stylegan: StyleGAN (Karras et al. 2019) with ProGAN's progressive growing, in Keras 3."""

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.loader import load_generator
from keras_stylegan.networks import Discriminator, Generator

__version__ = "0.2.0"

__all__ = ["ArchitectureConfig", "Discriminator", "Generator", "__version__", "load_generator"]
