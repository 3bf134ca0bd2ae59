"""Projection of images into the latent space (StyleGAN2 App. D; Image2StyleGAN for W+): the schedule, the
losses, the projector and the latent files it writes."""

from keras_stylegan.projection.latent_file import Latent, latent_count, latent_files, load_latent, save_latent
from keras_stylegan.projection.losses import LOSSES, make_distance
from keras_stylegan.projection.projector import Projection, Projector, w_statistics
from keras_stylegan.projection.schedule import SPACES, ProjectionConfig

__all__ = ["LOSSES", "SPACES", "Latent", "Projection", "ProjectionConfig", "Projector", "latent_count", "latent_files",
           "load_latent", "make_distance", "save_latent", "w_statistics"]
