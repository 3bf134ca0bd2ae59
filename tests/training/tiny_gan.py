"""Tiny networks and helpers shared by the training-core tests."""

import keras
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator, Generator
from keras_stylegan.training.model import StyleGAN
from keras_stylegan.training.schedule import ProgressiveSchedule

TINY = dict(resolution=16, fmap_base=64, fmap_max=32, latent_size=16, dlatent_size=16,
            mapping_layers=2, mapping_fmaps=16)


def adam(lr=0.001):
    """The official optimizer settings."""
    return keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99, epsilon=1e-8)


def tiny_model(loss=None, g_smoothing_kimg=10.0, seed=0, optimizers=None, jit_compile=False, augment=None, **arch):
    """A compiled StyleGAN on a 16 px net whose schedule fades 16 px in over 16 images after 16 at 8 px
    (``augment``: an AugmentConfig)."""
    keras.utils.set_random_seed(seed)
    cfg = ArchitectureConfig(**{**TINY, **arch})
    schedule = ProgressiveSchedule(final_resolution=cfg.resolution, start_resolution=8,
                                   lod_training_kimg=0.016, lod_transition_kimg=0.016, total_kimg=1.0)
    model = StyleGAN(Generator(cfg), Discriminator(cfg), schedule, loss=loss,
                     g_smoothing_kimg=g_smoothing_kimg, seed=seed, augment=augment)
    g_opt, d_opt = optimizers or (adam(), adam())
    model.compile(g_optimizer=g_opt, d_optimizer=d_opt, jit_compile=jit_compile)
    return model


def reals(resolution, batch, seed=0):
    """A repeating batch of random reals in [-1, 1]."""
    images = tf.random.stateless_uniform([batch, resolution, resolution, 3], [seed, 1], -1.0, 1.0)
    return tf.data.Dataset.from_tensors(images).repeat()


class StepLogs(keras.callbacks.Callback):
    """Records every step's logs as Python floats."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({k: float(v) for k, v in logs.items()})

    def column(self, name):
        return [step[name] for step in self.steps]


def fit_steps(model, resolution, global_batch, steps, seed=0):
    """Run ``steps`` train steps at ``resolution``; returns the per-step logs."""
    model.set_stage(resolution, global_batch)
    logs = StepLogs()
    model.fit(reals(resolution, global_batch, seed), steps_per_epoch=steps, epochs=1, verbose=0,
              shuffle=False, callbacks=[logs])
    return logs
