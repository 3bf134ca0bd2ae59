"""The style-based generator: mapping + w_avg + style mixing + truncation + synthesis (StyleGAN Sec. 2-3)."""

import keras
import tensorflow as tf

from keras_stylegan.networks.architecture_model import ArchitectureModel
from keras_stylegan.networks import style_mixing, truncation
from keras_stylegan.networks.mapping import Mapping
from keras_stylegan.networks.synthesis import Synthesis


def _split_seed(seed, num):
    """``num`` independent stateless seeds from one, or ``None`` for each when there is no seed."""
    if seed is None:
        return [None] * num
    return tf.unstack(tf.random.experimental.stateless_split(seed, num))


def _normal(shape, seed):
    return tf.random.normal(shape) if seed is None else tf.random.stateless_normal(shape, seed=seed)


def _uniform(shape, seed, **kwargs):
    if seed is None:
        return tf.random.uniform(shape, **kwargs)
    return tf.random.stateless_uniform(shape, seed=seed, **kwargs)


@keras.saving.register_keras_serializable(package="keras_stylegan")
class Generator(ArchitectureModel):
    """StyleGAN's generator G = g o f (Sec. 2, Fig. 1b), built at full resolution on construction.

    ``Generator()`` with no arguments is NVIDIA's FFHQ 1024x1024 configuration. Public entry points:
    :meth:`map` (z -> per-layer w, with optional truncation, Sec. 3.2 / Eq. in Appendix B),
    :meth:`mix` (style mixing, Sec. 3.1), :meth:`truncate`, :meth:`synthesize` (per-layer w -> image)
    and ``G(z, ...)`` (z -> image). Called with ``training=True`` it applies style-mixing
    regularisation and updates ``w_avg``, the moving average of w used by the truncation trick.
    """

    def __init__(
        self,
        config=None,  # ArchitectureConfig, its dict, or None for the FFHQ 1024 defaults
        truncation_psi=0.7,  # sampling default of truncate() (Sec. 3.2; official Gs default), not architecture
        truncation_cutoff=8,  # sampling default: layers, from the coarsest, that truncate() applies to
        stage=None,  # sampling default: the progressive stage a call without one uses; None = final
        alpha=1.0,  # sampling default: the fade-in of that stage (a snapshot taken mid-training keeps both)
        **kwargs,
    ):
        super().__init__(config, **kwargs)
        self.truncation_psi = float(truncation_psi)
        self.truncation_cutoff = int(truncation_cutoff)
        self.stage = self.config.check_stage(stage)
        self.alpha = float(alpha)
        config = self.config
        with keras.name_scope(self.name):
            self.mapping = Mapping(config, dtype=self.dtype_policy, name="mapping")
            self.synthesis = Synthesis(config, dtype=self.dtype_policy, name="synthesis")
        self.w_avg = self.add_weight(
            name="w_avg",
            shape=(config.dlatent_size,),
            initializer="zeros",
            trainable=False,
            aggregation="mean",
            autocast=False,  # w statistics stay in float32 under mixed precision
        )
        self.built = True

    @property
    def num_layers(self):
        """Style inputs of the full-resolution synthesis network."""
        return self.config.num_layers

    def broadcast(self, w):
        """[N, D] -> [N, num_layers, D]: the same w for every layer."""
        return tf.tile(w[:, None, :], [1, self.num_layers, 1])

    def truncate(self, ws, truncation_psi=None, truncation_cutoff=None):
        """Truncation trick (Sec. 3.2 / Appendix B): w' = w_avg + psi * (w - w_avg) on the first layers.

        ``truncation_psi`` (a scalar or one per sample) and ``truncation_cutoff`` (the number of coarse
        layers truncated; ``num_layers`` truncates all) default to the generator's sampling defaults
        ``self.truncation_psi`` / ``self.truncation_cutoff``.
        """
        psi = self.truncation_psi if truncation_psi is None else truncation_psi
        cutoff = self.truncation_cutoff if truncation_cutoff is None else truncation_cutoff
        return truncation.truncate(ws, self.w_avg, psi, cutoff)

    def mix(self, ws1, ws2, crossover):
        """Style mixing (Sec. 3.1): layers before ``crossover`` take ``ws1``, the rest ``ws2``."""
        return style_mixing.mix(ws1, ws2, crossover)

    def map(self, z, labels=None, truncation_psi=None, truncation_cutoff=None):
        """z -> ws [N, num_layers, dlatent_size]; truncated when ``truncation_psi`` is given."""
        ws = self.broadcast(tf.cast(self.mapping(z, labels), tf.float32))
        if truncation_psi is not None:
            ws = self.truncate(ws, truncation_psi, truncation_cutoff)
        return ws

    def synthesize(self, ws, stage=None, alpha=None, noise_mode="random", seed=None, noise=None):
        """Images [N, stage, stage, C] from per-layer styles ``ws``; see :class:`Synthesis` (``noise``: the
        noise images of every styled layer, e.g. a projection's). ``stage`` and ``alpha`` default to the
        generator's sampling defaults ``self.stage`` / ``self.alpha``."""
        stage, alpha = self._stage_and_alpha(stage, alpha)
        return self.synthesis(ws, stage=stage, alpha=alpha, noise_mode=noise_mode, seed=seed, noise=noise)

    def _stage_and_alpha(self, stage, alpha):
        """A call's stage and alpha: the given ones, or the sampling defaults. A given stage without an
        alpha is that stage stable, unless it is the default stage."""
        if stage is None:
            return self.stage, self.alpha if alpha is None else alpha
        stage = self.config.check_stage(stage)
        if alpha is None:
            alpha = self.alpha if stage == self.stage else 1.0
        return stage, alpha

    def _training_styles(self, z, labels, stage, seed):
        """Per-layer w for a training step: w_avg update and style-mixing regularisation (Sec. 3.1)."""
        z2_seed, decide_seed, crossover_seed = _split_seed(seed, 3)
        w = tf.cast(self.mapping(z, labels), tf.float32)
        beta = self.config.w_avg_beta
        self.w_avg.assign(tf.reduce_mean(w, axis=0) * (1.0 - beta) + self.w_avg * beta)
        ws = self.broadcast(w)
        if self.config.style_mixing_prob <= 0:
            return ws
        active = self.config.num_layers_at(stage)
        z2 = _normal(tf.shape(z), z2_seed)
        ws2 = self.broadcast(tf.cast(self.mapping(z2, labels), tf.float32))
        mixed = _uniform([], decide_seed) < self.config.style_mixing_prob
        crossover = tf.where(
            mixed, _uniform([], crossover_seed, minval=1, maxval=active, dtype=tf.int32), active
        )
        return self.mix(ws, ws2, crossover)

    def get_config(self):
        return {**super().get_config(), "truncation_psi": self.truncation_psi,
                "truncation_cutoff": self.truncation_cutoff, "stage": self.stage, "alpha": self.alpha}

    def call(
        self,
        z,
        labels=None,
        stage=None,  # Python int resolution; None = the sampling default self.stage
        alpha=None,  # fade-in weight of the stage's newest block; None = see synthesize()
        truncation_psi=None,  # None: no truncation
        truncation_cutoff=None,
        noise_mode="random",  # "random", "const" or "none"
        seed=None,  # int32 [2]: stateless seed for every random draw inside
        training=False,
    ):
        stage, alpha = self._stage_and_alpha(stage, alpha)
        mapping_seed, noise_seed = _split_seed(seed, 2)
        if training:
            ws = self._training_styles(z, labels, stage, mapping_seed)
        else:
            ws = self.map(z, labels, truncation_psi, truncation_cutoff)
        return self.synthesize(ws, stage=stage, alpha=alpha, noise_mode=noise_mode, seed=noise_seed)
