"""GAN losses and gradient penalties, per example and in float32.

Every function returns one value per example ([N], float32) so the caller can reduce with
``tf.nn.compute_average_loss(per_example, global_batch_size=...)``, which makes the summed gradients
of several replicas equal to one device's gradient of the global mean. Gradients with respect to
images are taken from a loss-scaled sum and unscaled in float32, as the official code does with
``apply_loss_scaling`` / ``undo_loss_scaling``, so a float16 discriminator does not underflow.
"""

import dataclasses

import tensorflow as tf

from keras_stylegan.errors import UserError
from keras_stylegan.interpolation import lerp

LOSSES = ("logistic", "wgan_gp")


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """Loss choice and weights: StyleGAN's default (non-saturating logistic + R1, Karras et al. 2019
    Sec. 4 / official ``G_logistic_nonsaturating`` and ``D_logistic_simplegp``) or ProGAN's WGAN-GP
    with drift (Karras et al. 2018 Sec. A.1; Gulrajani et al. 2017)."""

    loss: str = "logistic"  # "logistic" | "wgan_gp"
    r1_gamma: float = 10.0  # R1 weight on reals (Mescheder et al. 2018, Eq. 9); 0 disables
    r1_interval: int = 1  # lazy R1: penalise every k-th D step, scaled by k (StyleGAN2 Sec. 3.1)
    r2_gamma: float = 0.0  # R2 weight: the same penalty on fakes; 0 disables
    wgan_lambda: float = 10.0  # gradient-penalty weight
    wgan_epsilon: float = 0.001  # drift penalty epsilon * D(real)^2 (ProGAN Sec. A.1)
    wgan_target: float = 1.0  # target gradient norm

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise UserError(f"loss={self.loss!r} is not one of {LOSSES}.")
        if not isinstance(self.r1_interval, int) or self.r1_interval < 1:
            raise UserError(f"r1_interval={self.r1_interval!r} must be an int >= 1 (1 = every step).")
        if min(self.r1_gamma, self.r2_gamma, self.wgan_lambda, self.wgan_epsilon) < 0:
            raise UserError("r1_gamma, r2_gamma, wgan_lambda and wgan_epsilon must be >= 0.")
        if self.wgan_target <= 0:
            raise UserError(f"wgan_target={self.wgan_target} must be positive.")

    @property
    def penalty_name(self):
        """Name the step logs its gradient penalty under."""
        return "r1_penalty" if self.loss == "logistic" else "gradient_penalty"


def _scores(logits):
    """[N, 1] logits in any float dtype -> [N] float32 scores."""
    return tf.reshape(tf.cast(logits, tf.float32), [-1])


def logistic_d_loss(real_logits, fake_logits):
    """Discriminator logistic loss softplus(D(fake)) + softplus(-D(real)) (Goodfellow et al. 2014,
    as in StyleGAN's ``D_logistic``), per example."""
    return tf.nn.softplus(_scores(fake_logits)) + tf.nn.softplus(-_scores(real_logits))


def logistic_g_loss(fake_logits):
    """Non-saturating generator loss softplus(-D(G(z))) (StyleGAN's ``G_logistic_nonsaturating``)."""
    return tf.nn.softplus(-_scores(fake_logits))


def wgan_d_loss(real_logits, fake_logits):
    """Wasserstein critic loss D(fake) - D(real) (Arjovsky et al. 2017; ProGAN's ``D_wgangp_acgan``)."""
    return _scores(fake_logits) - _scores(real_logits)


def wgan_g_loss(fake_logits):
    """Wasserstein generator loss -D(G(z)) (ProGAN's ``G_wgan``)."""
    return -_scores(fake_logits)


def drift_penalty(real_logits, epsilon):
    """ProGAN's drift term epsilon * D(real)^2 keeping critic outputs near 0 (Karras et al. 2018 A.1)."""
    return epsilon * tf.square(_scores(real_logits))


def logits_and_input_gradient_sq_norm(discriminate, images, loss_scale=1.0):
    """D's logits on ``images`` and the squared norm ||grad_x D(x)||^2 per example, in float32.

    The gradient is taken of ``loss_scale * sum(D(x))`` and divided by ``loss_scale`` afterwards, so
    under float16 small input gradients do not flush to zero (overflow gives inf, which the
    LossScaleOptimizer turns into a skipped step and a smaller scale). Call inside the outer tape:
    the norm is differentiable with respect to D's weights.
    """
    images = tf.convert_to_tensor(images)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(images)
        logits = discriminate(images)
        scaled_sum = tf.reduce_sum(tf.cast(logits, tf.float32)) * loss_scale
    grads = tf.cast(tape.gradient(scaled_sum, images), tf.float32) / loss_scale
    sq_norm = tf.reduce_sum(tf.square(grads), axis=list(range(1, grads.shape.rank)))
    return _scores(logits), sq_norm


def wgan_gradient_penalty(discriminate, reals, fakes, mixing_factors, wgan_lambda, wgan_target,
                          loss_scale=1.0):
    """WGAN-GP penalty lambda * (||grad D(x_hat)|| - target)^2 / target^2 at
    x_hat = lerp(real, fake, u), u ~ U[0, 1] per example (Gulrajani et al. 2017 Eq. 3, with ProGAN's
    target normalisation)."""
    reals = tf.cast(reals, tf.float32)
    mixed = lerp(reals, tf.cast(fakes, tf.float32), mixing_factors)
    _, sq_norm = logits_and_input_gradient_sq_norm(discriminate, mixed, loss_scale)
    return tf.square(tf.sqrt(sq_norm) - wgan_target) * (wgan_lambda / wgan_target ** 2)


def discriminator_loss(config, discriminate, reals, fakes, mixing_factors=None, r1_due=True,
                       loss_scale=1.0):
    """One D step's per-example terms: a dict of [N] float32 tensors ``loss`` (total),
    ``penalty`` (R1 (+R2) or the WGAN gradient penalty), ``real_score``, ``fake_score``.

    ``fakes`` must already be cut from G's graph. ``mixing_factors`` ([N, 1, 1, 1] in [0, 1]) is
    needed for "wgan_gp". ``r1_due`` (bool or scalar bool tensor) says whether lazy R1 applies on
    this step; with ``r1_interval`` k > 1 the penalty is multiplied by k when due and skipped (not
    computed) otherwise, as in StyleGAN2's lazy regularisation.
    """
    fake_scores = _scores(discriminate(fakes))
    if config.loss == "wgan_gp":
        if mixing_factors is None:
            raise ValueError("loss='wgan_gp' needs mixing_factors [N, 1, 1, 1] for the interpolates.")
        real_scores = _scores(discriminate(reals))
        penalty = wgan_gradient_penalty(discriminate, reals, fakes, mixing_factors,
                                        config.wgan_lambda, config.wgan_target, loss_scale)
        loss = (wgan_d_loss(real_scores, fake_scores) + penalty
                + drift_penalty(real_scores, config.wgan_epsilon))
        return {"loss": loss, "penalty": penalty, "real_score": real_scores,
                "fake_score": fake_scores}

    def with_r1():
        scores, sq_norm = logits_and_input_gradient_sq_norm(discriminate, reals, loss_scale)
        return scores, sq_norm * (0.5 * config.r1_gamma * config.r1_interval)

    def without_r1():
        scores = _scores(discriminate(reals))
        return scores, tf.zeros_like(scores)

    if config.r1_gamma == 0:
        real_scores, penalty = without_r1()
    elif config.r1_interval == 1 or r1_due is True:
        real_scores, penalty = with_r1()
    else:
        real_scores, penalty = tf.cond(tf.convert_to_tensor(r1_due), with_r1, without_r1)
    if config.r2_gamma:
        _, fake_sq_norm = logits_and_input_gradient_sq_norm(discriminate, fakes, loss_scale)
        penalty += fake_sq_norm * (0.5 * config.r2_gamma)
    loss = logistic_d_loss(real_scores, fake_scores) + penalty
    return {"loss": loss, "penalty": penalty, "real_score": real_scores, "fake_score": fake_scores}


def generator_loss(config, fake_logits):
    """G's per-example loss for ``config.loss``: non-saturating logistic or -D(G(z))."""
    if config.loss == "wgan_gp":
        return wgan_g_loss(fake_logits)
    return logistic_g_loss(fake_logits)
