"""The generator as graph functions from latents to uint8 images: what generation, the figures and the
SavedModel all run, so that an exported model and ``generate.py`` compute the same graph.

A :class:`Sampler` wraps a Generator in ``tf.function`` s with fixed input signatures (the SavedModel's
signatures are these functions), at the generator's sampling stage and fade-in:

- ``generate(z, truncation_psi[, labels])`` -> ``{"images": uint8 [N, R, R, C]}``
- ``mapping(z, truncation_psi[, labels])`` -> ``{"w": float32 [N, num_layers, w_dim]}`` (truncated)
- ``synthesis(w)`` -> ``{"images": ...}``: mixing styles (StyleGAN Sec. 3.1) is editing ``w`` between the two
- ``generate_random_noise(z, truncation_psi, noise_seed[, labels])`` and ``synthesis_random_noise(w,
  noise_seed)``: fresh noise (Sec. 3.2) drawn from one int64 seed per image, so an image depends on its
  own seed only.

The other functions use the noise mode the sampler was made with: ``"const"`` (the noise images stored in
the network: reproducible) or ``"none"``. ``truncation_psi`` is a scalar or one value per image, in
[-1, 2]; the truncation cutoff is fixed when the sampler is made. Inputs are checked when the graph runs
(a TensorFlow InvalidArgumentError naming the expected shape or range), since a server feeds tensors
without Python's checks.
"""

import numpy as np
import tensorflow as tf

from keras_stylegan.inference.latents import class_labels, latents_for_seeds
from keras_stylegan.layers.noise import check_noise_mode

IMAGES = "images"
W = "w"


def to_uint8(images):
    """[-1, 1] images -> uint8 as NVIDIA's tools convert them: floor(x * 127.5 + 128) clipped to [0, 255]."""
    return tf.cast(tf.clip_by_value(tf.floor(tf.cast(images, tf.float32) * 127.5 + 128.0), 0.0, 255.0), tf.uint8)


def _checked(value, condition, message):
    """``value``, computed only after ``condition`` holds at run time (else InvalidArgumentError: message)."""
    with tf.control_dependencies([tf.debugging.Assert(condition, [message])]):
        return tf.identity(value)


def _function(body, specs):
    """``body`` as a tf.function of the named tensors ``specs`` (their names become signature inputs)."""
    names = [spec.name for spec in specs]
    return tf.function(lambda *args: body(**dict(zip(names, args))), input_signature=specs)


class Sampler:
    """Graph functions of ``generator`` (see the module docstring)."""

    def __init__(
        self,
        generator,  # a keras_stylegan Generator; images at its sampling stage and alpha
        truncation_cutoff=None,  # layers truncated, from the coarsest; None = the generator's default
        noise_mode="const",  # noise of generate / synthesis: "const" or "none"
    ):
        check_noise_mode(noise_mode)
        if noise_mode == "random":
            raise ValueError("noise_mode 'random' is generate_random_noise / synthesis_random_noise; "
                             "make the sampler with 'const' or 'none'.")
        self.generator = generator
        self.noise_mode = noise_mode
        self.truncation_cutoff = generator.truncation_cutoff if truncation_cutoff is None else int(truncation_cutoff)
        config = generator.config
        self.w_shape = [generator.num_layers, config.dlatent_size]
        z = tf.TensorSpec([None, config.latent_size], tf.float32, name="z")
        psi = tf.TensorSpec(None, tf.float32, name="truncation_psi")
        w = tf.TensorSpec([None, *self.w_shape], tf.float32, name=W)
        seed = tf.TensorSpec([None], tf.int64, name="noise_seed")
        labels = [tf.TensorSpec([None, config.label_size], tf.float32, name="labels")] if config.label_size else []
        self.mapping = _function(self._mapping, [z, psi, *labels])
        self.synthesis = _function(self._synthesis, [w])
        self.synthesis_random_noise = _function(self._synthesis, [w, seed])
        self.generate = _function(self._generate, [z, psi, *labels])
        self.generate_random_noise = _function(self._generate, [z, psi, seed, *labels])

    @property
    def functions(self):
        """Name -> tf.function, the names the SavedModel's signatures take (``generate`` is the default)."""
        return {"generate": self.generate, "mapping": self.mapping, "synthesis": self.synthesis,
                "generate_random_noise": self.generate_random_noise,
                "synthesis_random_noise": self.synthesis_random_noise}

    def images_for_seeds(
        self,
        seeds,  # ints; z of a seed is NVIDIA's (keras_stylegan.inference.latents)
        truncation_psi,  # a scalar in [-1, 2]
        class_index=None,  # the class of a conditional network
        random_noise=False,  # fresh noise drawn from each image's seed instead of the sampler's noise mode
        batch_size=8,
    ):
        """Yield ``(seeds of a batch, uint8 images [B, R, R, C])``, batch after batch."""
        psi = np.float32(truncation_psi)
        for start in range(0, len(seeds), batch_size):
            batch = list(seeds[start:start + batch_size])
            labels = class_labels(class_index, self.generator.config.label_size, len(batch))
            inputs = [latents_for_seeds(batch, self.generator.config.latent_size), psi]
            if random_noise:
                inputs.append(np.asarray(batch, np.int64))
            inputs += [] if labels is None else [labels]
            function = self.generate_random_noise if random_noise else self.generate
            yield batch, function(*inputs)[IMAGES].numpy()

    def _mapping(self, z, truncation_psi, labels=None):
        config = self.generator.config
        count = tf.shape(z)[0]
        z = _checked(z, tf.equal(tf.shape(z)[1], config.latent_size),
                     f"z must be float32 [N, {config.latent_size}] (the network's latent_size)")
        psi = tf.reshape(truncation_psi, [-1])
        psi = _checked(psi, tf.logical_and(tf.rank(truncation_psi) <= 1,
                                           tf.logical_or(tf.size(psi) == 1, tf.size(psi) == count)),
                       "truncation_psi must be a scalar or one value per z [N]")
        if labels is not None:
            labels = _checked(labels, tf.logical_and(tf.equal(tf.shape(labels)[0], count),
                                                     tf.equal(tf.shape(labels)[1], config.label_size)),
                              f"labels must be float32 [N, {config.label_size}], one row per z")
        ws = self.generator.map(z, labels, truncation_psi=tf.broadcast_to(psi, [count]),
                                truncation_cutoff=self.truncation_cutoff)
        return {W: ws}

    def _synthesis(self, w, noise_seed=None):
        w = _checked(w, tf.reduce_all(tf.equal(tf.shape(w)[1:], self.w_shape)),
                     f"w must be float32 [N, {self.w_shape[0]}, {self.w_shape[1]}] (num_layers, w_dim)")
        if noise_seed is None:
            images = self.generator.synthesize(w, noise_mode=self.noise_mode)
        else:
            noise_seed = _checked(noise_seed, tf.equal(tf.size(noise_seed), tf.shape(w)[0]),
                                  "noise_seed must be int64 [N], one seed per image")
            seeds = tf.stack([noise_seed, tf.zeros_like(noise_seed)], axis=1)
            images = self.generator.synthesize(w, noise_mode="random", seed=seeds)
        return {IMAGES: to_uint8(images)}

    def _generate(self, z, truncation_psi, noise_seed=None, labels=None):
        return self._synthesis(self._mapping(z, truncation_psi, labels)[W], noise_seed)
