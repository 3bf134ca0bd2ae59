"""The projector's schedule: NVIDIA's defaults for optimising a latent towards an image.

StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN", Sec. 5 and App. D)
projects an image by optimising w from the average w with Adam for 1000 steps: the learning rate rises
linearly from 0 over the first 5% of the steps (warm-up) and falls to 0 over the last 25% along half a cosine
(ramp-down), peaking at 0.1; Gaussian noise is added to w at every step, of standard deviation
``0.05 * w_std`` (w_std: the root mean square distance of mapped ws from their mean) times
``max(0, 1 - t / 0.75)^2`` (t = step / steps), so that it is gone by 75% of the steps; the noise inputs are
optimised too, under an autocorrelation penalty of weight 1e5 (:mod:`keras_stylegan.projection.losses`).
The same numbers are the defaults of stylegan2-ada's projector and of rosinality's, which adds W+ (one w per
style layer; Abdal et al. 2019, "Image2StyleGAN").
"""

import dataclasses
import math

from keras_stylegan.errors import UserError

SPACES = ("w", "w_plus")  # one w for every style layer, or one w per style layer


@dataclasses.dataclass(frozen=True)
class ProjectionConfig:
    """How a projection runs (defaults: NVIDIA's, see the module docstring)."""

    space: str = "w"  # "w": one w for all style layers; "w_plus": one w per style layer
    num_steps: int = 1000  # Adam steps
    learning_rate: float = 0.1  # peak learning rate
    lr_rampup: float = 0.05  # fraction of the steps the learning rate rises over
    lr_rampdown: float = 0.25  # fraction of the steps it falls over, along half a cosine
    w_noise: float = 0.05  # noise added to w at the first step, in units of w_std
    w_noise_ramp: float = 0.75  # fraction of the steps after which no noise is added
    optimize_noise: bool = True  # optimise the noise inputs too (under the autocorrelation penalty)
    noise_regularize: float = 1e5  # weight of the noise inputs' autocorrelation penalty
    w_avg_samples: int = 10000  # mapped zs the starting point w_avg and w_std are measured on

    def __post_init__(self):
        if self.space not in SPACES:
            raise UserError(f"space must be one of {', '.join(SPACES)}, got {self.space!r}.")
        if not isinstance(self.num_steps, int) or self.num_steps < 1:
            raise UserError(f"num_steps must be an integer >= 1, got {self.num_steps!r}.")
        if not self.learning_rate > 0:
            raise UserError(f"learning_rate must be > 0, got {self.learning_rate!r}.")
        for name in ("lr_rampup", "lr_rampdown", "w_noise_ramp"):
            if not 0 < getattr(self, name) <= 1:
                raise UserError(f"{name} must be a fraction of the steps in (0, 1], got {getattr(self, name)!r}.")
        if self.w_noise < 0 or self.noise_regularize < 0:
            raise UserError(f"w_noise and noise_regularize must be >= 0, got {self.w_noise!r} and "
                            f"{self.noise_regularize!r}.")
        if not isinstance(self.w_avg_samples, int) or self.w_avg_samples < 2:
            raise UserError(f"w_avg_samples must be an integer >= 2, got {self.w_avg_samples!r}.")

    def learning_rate_at(self, step):
        """Adam's learning rate at ``step`` (0-based): warm-up, plateau, cosine ramp-down."""
        t = step / self.num_steps
        ramp = min(1.0, (1.0 - t) / self.lr_rampdown)
        ramp = 0.5 - 0.5 * math.cos(ramp * math.pi)
        return self.learning_rate * ramp * min(1.0, t / self.lr_rampup)

    def w_noise_scale(self, step, w_std):
        """Standard deviation of the noise added to every element of w at ``step``."""
        t = step / self.num_steps
        return w_std * self.w_noise * max(0.0, 1.0 - t / self.w_noise_ramp) ** 2
