"""A trained generator as a SavedModel that TF Serving (and plain TensorFlow) loads without this project."""

from keras_stylegan.export.saved_model import SIGNATURES, export_saved_model

__all__ = ["SIGNATURES", "export_saved_model"]
