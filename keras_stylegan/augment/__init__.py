"""Augmenting what D sees, for training on small datasets: DiffAugment (Zhao et al. 2020) and ADA (Karras et al.
2020) with its adaptive strength p."""

from keras_stylegan.augment.augment import Augment
from keras_stylegan.augment.config import METHODS, AugmentConfig

__all__ = ["METHODS", "Augment", "AugmentConfig"]
