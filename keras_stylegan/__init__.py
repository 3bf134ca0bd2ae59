"""keras-stylegan: StyleGAN (Karras et al. 2019) with ProGAN's progressive growing, in Keras 3."""

import sys

from keras_stylegan import startup

if startup.is_command_line():  # before anything imports TensorFlow (keras_stylegan/startup.py)
    startup.quiet_tensorflow_startup(sys.argv)

from keras_stylegan.config import ArchitectureConfig  # noqa: E402  (after the start-up above)
from keras_stylegan.loader import load_generator  # noqa: E402
from keras_stylegan.networks import Discriminator, Generator  # noqa: E402

__version__ = "0.2.0"

__all__ = ["ArchitectureConfig", "Discriminator", "Generator", "__version__", "load_generator"]
