"""Architecture configuration shared by the generator and the discriminator."""

import dataclasses
import math

from keras_stylegan.errors import UserError

_INT_AT_LEAST = {"num_channels": 1, "label_size": 0, "latent_size": 1, "dlatent_size": 1, "mapping_layers": 1,
                 "mapping_fmaps": 1, "fmap_base": 1, "fmap_max": 1, "mbstd_group_size": 0, "mbstd_num_features": 1}
_FRACTIONS = ("w_avg_beta", "style_mixing_prob")  # probabilities / decays in [0, 1]


@dataclasses.dataclass(frozen=True)
class ArchitectureConfig:
    """Hyper-parameters of StyleGAN's networks (Karras et al. 2019, Sec. 2 and Appendix C).

    The defaults are NVIDIA's released FFHQ 1024x1024 networks. Sampling settings (truncation psi and
    cutoff) are not architecture: they are call arguments, with defaults kept by the Generator. Channel counts follow ProGAN
    (Karras et al. 2018, Table 2): ``nf(stage) = min(int(fmap_base / 2**(stage * fmap_decay)), fmap_max)``,
    where stage 1 is 4x4, stage 2 is 8x8 and so on.
    """

    resolution: int = 1024  # final image resolution, a power of two >= 4
    num_channels: int = 3  # image channels (3 RGB, 1 grayscale)
    label_size: int = 0  # conditioning labels; 0 = unconditional
    latent_size: int = 512  # dimension of z
    dlatent_size: int = 512  # dimension of w
    mapping_layers: int = 8
    mapping_fmaps: int = 512  # width of the mapping network's hidden layers
    mapping_lrmul: float = 0.01  # learning-rate multiplier of the mapping network (Appendix C)
    fmap_base: int = 8192
    fmap_decay: float = 1.0
    fmap_max: int = 512
    w_avg_beta: float = 0.995  # decay of the moving average of w used by truncation
    style_mixing_prob: float = 0.9  # probability of mixing regularisation in training (Sec. 3.1)
    fused_scale: str = "auto"  # "auto" (fused at 128 px and above), "true" or "false"
    mbstd_group_size: int = 4  # minibatch standard deviation group (ProGAN Sec. 3)
    mbstd_num_features: int = 1
    use_noise: bool = True  # per-layer noise inputs (Sec. 3.2 / Fig. 1b "B")

    def __post_init__(self):
        """Every field's range, each a one-line UserError that names the allowed values."""
        if not isinstance(self.resolution, int) or self.resolution < 4 or self.resolution & (self.resolution - 1):
            raise UserError(
                f"resolution must be a power of two >= 4, got {self.resolution}; pick e.g. 32, 256 or 1024.")
        for name, low in _INT_AT_LEAST.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise UserError(f"{name} must be an integer >= {low}, got {value!r}.")
        for name in _FRACTIONS:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise UserError(f"{name} must be in [0, 1], got {getattr(self, name)!r}.")
        if not self.mapping_lrmul > 0 or self.fmap_decay < 0:
            raise UserError(f"mapping_lrmul must be > 0 and fmap_decay >= 0, got {self.mapping_lrmul!r} and "
                            f"{self.fmap_decay!r}.")
        if self.fused_scale not in ("auto", "true", "false"):
            raise UserError(f"fused_scale must be 'auto', 'true' or 'false', got {self.fused_scale!r}.")
        narrowest = self.channels_at(self.resolution)
        if narrowest < 1:
            raise UserError(f"fmap_base={self.fmap_base} with fmap_decay={self.fmap_decay} gives {narrowest} feature "
                            f"maps at {self.resolution} px; raise fmap_base (channels at stage s are "
                            "min(fmap_base / 2**(s*fmap_decay), fmap_max)).")
        if self.mbstd_group_size > 1 and self.channels_at(4) % self.mbstd_num_features:
            raise UserError(f"mbstd_num_features={self.mbstd_num_features} must divide the {self.channels_at(4)} "
                            "channels of the 4x4 block; pick a divisor of it.")

    @property
    def resolution_log2(self):
        """log2 of the final resolution (10 at 1024)."""
        return int(math.log2(self.resolution))

    @property
    def resolutions(self):
        """All stage resolutions from 4 to the final one."""
        return [2**r for r in range(2, self.resolution_log2 + 1)]

    @property
    def num_layers(self):
        """Style inputs of the full synthesis network: two per resolution (18 at 1024)."""
        return self.num_layers_at(self.resolution)

    def nf(self, stage):
        """Feature maps at a ProGAN stage (1 = 4x4); ProGAN Table 2 / official ``nf()``."""
        return min(int(self.fmap_base / (2.0 ** (stage * self.fmap_decay))), self.fmap_max)

    def channels_at(self, resolution):
        """Feature maps of the synthesis / discriminator block working at ``resolution``."""
        return self.nf(int(math.log2(resolution)) - 1)

    def num_layers_at(self, resolution):
        """Style inputs active at a stage resolution: 2 * log2(resolution) - 2."""
        return 2 * int(math.log2(resolution)) - 2

    def is_fused(self, resolution):
        """Whether the resampling convolution of the block at ``resolution`` is fused (official 'auto')."""
        if self.fused_scale == "auto":
            return resolution >= 128
        return self.fused_scale == "true"

    def check_stage(self, stage):
        """Return the stage resolution (``None`` = final), raising a clear error if it is not valid."""
        if stage is None:
            return self.resolution
        if stage not in self.resolutions:
            raise UserError(
                f"stage must be a resolution in {self.resolutions}, got {stage!r}."
            )
        return int(stage)

    @classmethod
    def coerce(cls, config):
        """An ArchitectureConfig from itself, its dict, or ``None`` (the FFHQ 1024 defaults)."""
        if config is None:
            return cls()
        if isinstance(config, dict):
            return cls.from_dict(config)
        return config

    def to_dict(self):
        """Plain dict of the fields (JSON-serialisable)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Inverse of :meth:`to_dict`; unknown keys are a clear error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise UserError(f"unknown architecture options {unknown}; known: {sorted(known)}")
        return cls(**values)
