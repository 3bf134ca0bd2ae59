"""NVIDIA's released StyleGAN v1 networks (official TF1 pickles) as our Keras networks, without running
any code from the pickle and without TF1.

    G, D, Gs = keras_stylegan.legacy.load_official("karras2019stylegan-ffhq-1024x1024.pkl")
    python -m keras_stylegan.legacy --source=karras2019stylegan-ffhq-1024x1024.pkl --output=ffhq.keras

unpickler (the restricted unpickler), architecture (official options -> ArchitectureConfig), names (the
official -> ours variable table), official_model (read_official, load_official), __main__ (the command).
"""

from keras_stylegan.legacy.errors import OfficialModelError
from keras_stylegan.legacy.official_model import OfficialModel, load_official, read_official

__all__ = ["OfficialModel", "OfficialModelError", "load_official", "read_official"]
