"""An official StyleGAN v1 pickle as our networks: ``read_official`` (numpy only) and ``load_official``.

``read_official(path)`` unpickles safely (:mod:`~keras_stylegan.legacy.unpickler`), takes the architecture
from the networks' options (:mod:`~keras_stylegan.legacy.architecture`) and converts every variable to our
layout and name (:mod:`~keras_stylegan.legacy.names`), checking that each official variable has exactly one
weight of ours and each weight of ours one official variable. It builds no network, so a trainer can check an
architecture or fill networks it already has. ``load_official(path)`` builds G, D and Gs from it.
"""

import dataclasses

import numpy as np

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.legacy import architecture, names
from keras_stylegan.legacy.errors import OfficialModelError
from keras_stylegan.legacy.unpickler import OfficialNetwork, read_pickle
from keras_stylegan.networks import Discriminator, Generator

ROLES = ("G", "D", "Gs")  # the official pickle's tuple: training G, D, and Gs, the moving average of G


@dataclasses.dataclass(frozen=True)
class OfficialModel:
    """The content of an official pickle, converted to our names and layouts, as numpy arrays.

    ``sampling[role]`` holds a generator's sampling defaults: the official truncation psi / cutoff and, from
    its ``lod`` variable, the stage and alpha it was at (the full resolution, alpha 1, for a released model).
    ``weights[role]`` is ``{our weight path: float32 array}``. A pickle holding Gs alone has no "G" / "D".
    """

    path: str
    architecture: ArchitectureConfig
    sampling: dict
    weights: dict
    sources: dict  # {role: {our weight path: official variable name}}, for messages

    @property
    def roles(self):
        """The networks the pickle holds, among "G", "D", "Gs"."""
        return tuple(role for role in ROLES if role in self.weights)

    def assign(self, role, network):
        """Set every weight of ``network`` (one of ours, of this architecture) to the pickle's ``role`` network."""
        if role not in self.weights:
            raise OfficialModelError(f"{self.path} holds no {role} network (it holds {', '.join(self.roles)}).")
        named, weights, sources = network.named_weights(), self.weights[role], self.sources[role]
        missing = sorted(set(named) - set(weights))
        if missing:
            raise OfficialModelError(f"{self.path}: no official variable of {role} maps onto our weight {missing[0]}.")
        for path, value in weights.items():
            if path not in named:
                raise OfficialModelError(f"{self.path}: {role}'s {sources[path]} maps onto {path}, which our network lacks.")
            if tuple(named[path].shape) != value.shape:
                raise OfficialModelError(
                    f"{self.path}: {role}'s {sources[path]} has shape {value.shape} after conversion, but our {path} "
                    f"has {tuple(named[path].shape)}: the variables do not match the pickle's options.")
        for path, value in weights.items():
            named[path].assign(value)

    def generator(self, role="Gs"):
        """A new Generator holding the pickle's ``role`` generator ("Gs" for sampling, "G" for training)."""
        if role not in self.sampling:
            raise OfficialModelError(f"{self.path} holds no {role} network (it holds {', '.join(self.roles)}).")
        generator = Generator(self.architecture, **self.sampling[role], name=role)
        self.assign(role, generator)
        return generator

    def discriminator(self):
        """A new Discriminator holding the pickle's D."""
        discriminator = Discriminator(self.architecture, name="D")
        self.assign("D", discriminator)
        return discriminator


def _networks(data, path):
    """``{role: OfficialNetwork}`` of an unpickled official file: (G, D, Gs), or a lone Gs."""
    if isinstance(data, OfficialNetwork):
        return {"Gs": data}
    if isinstance(data, tuple) and len(data) == 3 and all(isinstance(n, OfficialNetwork) for n in data):
        return dict(zip(ROLES, data))
    raise OfficialModelError(f"{path} holds a {type(data).__name__}, not NVIDIA's (G, D, Gs) tuple of networks.")


def _convert(variables, table, ignored, what):
    """``({our path: float32 array}, {our path: official name})``; every official variable but ``ignored``
    must be in ``table`` and every entry of ``table`` in the variables."""
    unmapped = sorted(set(variables) - set(table) - set(ignored))
    if unmapped:
        raise OfficialModelError(f"{what} has the variable {unmapped[0]} ({len(unmapped)} unexpected in all), which "
                                 "the architecture its options describe does not have.")
    missing = sorted(set(table) - set(variables))
    if missing:
        raise OfficialModelError(f"{what} lacks the variable {missing[0]} ({len(missing)} missing in all), which "
                                 "the architecture its options describe has.")
    weights, sources = {}, {}
    for official, (ours, convert) in table.items():
        value = np.asarray(variables[official])
        if value.dtype.kind != "f":
            raise OfficialModelError(f"{what}'s variable {official} holds {value.dtype} values, not floats.")
        value = value.astype(np.float32, copy=False)
        weights[ours] = np.ascontiguousarray(convert(value) if convert else value)
        sources[ours] = official
    return weights, sources


def read_official(path):
    """An :class:`OfficialModel` from an official StyleGAN v1 pickle, without running code from it and
    without building any network. Raises :class:`OfficialModelError` (one line, naming the global, option or
    variable) for an unsafe, damaged or unsupported file."""
    path = str(path)
    networks = _networks(read_pickle(path), path)
    try:
        return _official_model(path, networks)
    except OfficialModelError as error:
        raise OfficialModelError(f"{path}: {error}") from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:  # a state garbled by damage
        raise OfficialModelError(f"{path}: its networks are not laid out as in NVIDIA's files ({type(error).__name__}: "
                                 f"{error}); the file is damaged: download it again.") from None


def _official_model(path, networks):
    """The :class:`OfficialModel` of unpickled networks ``{role: OfficialNetwork}``."""
    g_options = {role: architecture.generator_options(networks[role]) for role in ("G", "Gs") if role in networks}
    d_options = architecture.discriminator_options(networks["D"]) if "D" in networks else None
    config = architecture.architecture_config(g_options["Gs"], d_options)
    if "G" in g_options and architecture.architecture_config(g_options["G"], d_options) != config:
        raise OfficialModelError("G and Gs have different options; the pickle is damaged.")
    weights, sources, sampling = {}, {}, {}
    for role, network in networks.items():
        kind = "D" if role == "D" else "G"
        table = names.discriminator_table(config) if kind == "D" else names.generator_table(config)
        variables = network.all_variables()
        weights[role], sources[role] = _convert(variables, table, names.IGNORED[kind], role)
        if kind == "G":
            sampling[role] = {**architecture.truncation_defaults(g_options[role], config),
                              **architecture.sampling_stage(variables.get("lod", 0.0), config)}
    return OfficialModel(path=path, architecture=config, sampling=sampling, weights=weights, sources=sources)


def load_official(path):
    """``(G, D, Gs)``: our Generator, Discriminator and Generator holding an official StyleGAN v1 pickle's
    networks (``karras2019stylegan-ffhq-1024x1024.pkl`` and the like). Gs, the moving average of G, is what
    sampling uses; G and D continue training. For a pickle holding Gs alone, G and D are None. No code from
    the file is run; an unsafe, damaged or unsupported file is an :class:`OfficialModelError`."""
    model = read_official(path)
    G = model.generator("G") if "G" in model.weights else None
    D = model.discriminator() if "D" in model.weights else None
    return G, D, model.generator("Gs")
