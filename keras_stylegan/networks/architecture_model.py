"""The base of the generator and the discriminator: a keras.Model built from one ArchitectureConfig."""

import keras

from keras_stylegan.config import ArchitectureConfig


class ArchitectureModel(keras.Model):
    """A keras.Model whose whole configuration is an :class:`ArchitectureConfig` (StyleGAN App. C).

    ``config`` may be the dataclass, its dict, or ``None`` for NVIDIA's FFHQ 1024 networks; it is what
    ``get_config`` saves and ``from_config`` rebuilds from, so ``.keras`` files hold the architecture.
    """

    def __init__(
        self,
        config=None,  # ArchitectureConfig, its dict, or None for the FFHQ 1024 defaults
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = ArchitectureConfig.coerce(config)

    def get_config(self):
        return {"config": self.config.to_dict(), "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
