"""The image sets metrics compare: uint8 NHWC batches at the network's full resolution.

Generated images are drawn as NVIDIA's metrics draw them: z ~ N(0, I), no truncation, random noise; a
network sampled at a lower stage (a snapshot taken while growing) has its images up-sampled to the full
resolution by repeating pixels, as the official generator's output is during growing, so that a run's
figures compare with the same reals throughout. Every batch is a function of ``seed`` and its index.
Reals come from a float dataset in [-1, 1] (the pipelines reader's) and are turned back into bytes.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.inference.sampler import to_uint8
from keras_stylegan.layers.resample import upsample2d


def full_resolution(generator, images):
    """Images at the generator's sampling stage -> uint8 at its full resolution (nearest up-sampling)."""
    return to_uint8(upsample2d(images, generator.config.resolution // images.shape[1]))


def generated_batches(generator, num_images, batch_size, seed=0, stage=None, alpha=None):
    """Yield uint8 batches of ``num_images`` generated images in all (see the module docstring), at
    ``stage`` and ``alpha`` (default: the generator's sampling defaults)."""
    @tf.function
    def draw(index, count):
        seeds = tf.random.experimental.stateless_split(tf.stack([tf.cast(seed, tf.int64), index]), 2)
        z = tf.random.stateless_normal([count, generator.config.latent_size], seed=seeds[0])
        images = generator(z, stage=stage, alpha=alpha, noise_mode="random", seed=tf.cast(seeds[1], tf.int32))
        return full_resolution(generator, tf.cast(images, tf.float32))

    for index, start in enumerate(range(0, num_images, batch_size)):
        yield draw(tf.constant(index, tf.int64), min(batch_size, num_images - start)).numpy()


def dataset_batches(dataset):
    """Yield uint8 batches of a dataset of float NHWC images in [-1, 1]."""
    for batch in dataset:
        images = batch[0] if isinstance(batch, tuple) else batch
        yield np.rint((np.asarray(images, np.float32) + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
