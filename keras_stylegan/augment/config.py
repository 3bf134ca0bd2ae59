"""How the images D sees are augmented in training: ``AugmentConfig`` (train.py's ``--augment`` flags)."""

import dataclasses

from keras_stylegan.augment.diffaugment import parse_policy
from keras_stylegan.errors import UserError

METHODS = ("none", "diffaug", "ada")


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    """The augmentation method and its settings: DiffAugment (Zhao et al. 2020) with a policy, or ADA (Karras et
    al. 2020) with an adaptive or a fixed strength p. The defaults of the ADA fields are the paper's, except
    ``ada_p_max``."""

    augment: str = "none"  # "none" | "diffaug" | "ada"
    diffaug_policy: str = "color,translation,cutout"  # DiffAugment's policies, applied in this order
    augment_p: float = -1.0  # ADA: a fixed strength p in [0, 1]; negative = adaptive (p starts at 0)
    ada_target: float = 0.6  # ADA: the target of the overfitting heuristic r_t = E[sign(D(augmented real))]
    ada_kimg: float = 500.0  # ADA: thousands of images in which p can move by 1
    ada_interval: int = 4  # ADA: minibatches between adjustments of p
    ada_p_max: float = 0.8  # ADA: the adaptive p stays in [0, ada_p_max] (the paper sees leaks from about 0.8)

    def __post_init__(self):
        if self.augment not in METHODS:
            raise UserError(f"augment must be one of {', '.join(METHODS)}; got {self.augment!r}.")
        try:
            policy = parse_policy(self.diffaug_policy)
        except ValueError as error:
            raise UserError(f"diffaug_policy={self.diffaug_policy!r}: {error}") from None
        if self.augment == "diffaug" and not policy:
            raise UserError("augment=diffaug needs at least one diffaug_policy (color, translation, cutout).")
        if self.augment_p > 1.0:
            raise UserError(f"augment_p={self.augment_p} must be in [0, 1] (or negative for the adaptive p).")
        if self.augment_p >= 0 and self.augment != "ada":
            raise UserError(f"augment_p={self.augment_p} sets ADA's strength: it needs augment=ada, not "
                            f"{self.augment!r}.")
        if not -1.0 < self.ada_target < 1.0:
            raise UserError(f"ada_target={self.ada_target} must be in (-1, 1): r_t is a mean of signs "
                            "(the paper uses 0.6).")
        if not self.ada_kimg > 0:
            raise UserError(f"ada_kimg={self.ada_kimg} must be > 0 (the paper uses 500).")
        if not isinstance(self.ada_interval, int) or isinstance(self.ada_interval, bool) or self.ada_interval < 1:
            raise UserError(f"ada_interval={self.ada_interval!r} must be an integer >= 1 (the paper uses 4).")
        if not 0.0 <= self.ada_p_max <= 1.0:
            raise UserError(f"ada_p_max={self.ada_p_max} must be in [0, 1].")

    @property
    def policy(self):
        """DiffAugment's policy names, in order."""
        return parse_policy(self.diffaug_policy)

    @property
    def adaptive(self):
        """True when ADA's p follows r_t (no fixed ``augment_p``)."""
        return self.augment == "ada" and self.augment_p < 0
