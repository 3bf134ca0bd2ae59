"""The base of the generator and the discriminator: a keras.Model built from one ArchitectureConfig."""

import keras

from keras_stylegan.config import ArchitectureConfig


class ArchitectureModel(keras.Model):
    """A keras.Model whose whole configuration is an :class:`ArchitectureConfig` (StyleGAN App. C).

    ``config`` may be the dataclass, its dict, or ``None`` for NVIDIA's FFHQ 1024 networks; it is what
    ``get_config`` saves (with the dtype policy and ``trainable``) and ``from_config`` rebuilds from, so
    ``.keras`` files hold the architecture. Sub-layers are created under the model's name scope, so every
    weight has a path that says where it lives (``generator/synthesis/b8/conv1/adain/affine/kernel``).
    """

    def __init__(
        self,
        config=None,  # ArchitectureConfig, its dict, or None for the FFHQ 1024 defaults
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.config = ArchitectureConfig.coerce(config)

    def named_weights(self):
        """``{path inside the network: variable}`` for every weight, e.g. ``synthesis/b8/conv1/bias``.

        The keys leave out the network's own name, so two networks of one architecture (G and Gs,
        whatever they are called) have the same keys: checkpoints and importers map weights by these
        names, never by list positions.
        """
        prefix = self.name + "/"
        named = {}
        for variable in self.variables:
            path = variable.path
            key = path[len(prefix):] if path.startswith(prefix) else path
            if key in named:
                raise ValueError(f"two weights of {self.name} share the path {key!r}.")
            named[key] = variable
        return named

    def copy(self, **overrides):
        """A new network of this one's configuration (with ``overrides`` of its constructor arguments, e.g.
        ``dtype="float32"`` or ``name=...``) holding a copy of its weights."""
        copy = type(self).from_config({**self.get_config(), **overrides})
        copy.set_weights(self.get_weights())
        return copy

    def with_policy(self, policy):
        """This network if it computes in the dtype policy ``policy`` (e.g. "float32"), else a :meth:`copy` that does."""
        return self if self.dtype_policy.name == policy else self.copy(dtype=policy)

    def get_config(self):
        return {
            "config": self.config.to_dict(),
            "name": self.name,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "trainable": self.trainable,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(**config)
