"""The architecture of an official StyleGAN v1 pickle, from its networks' ``static_kwargs``.

NVIDIA's build functions (``G_style``, which builds ``G_mapping`` and ``G_synthesis``, and ``D_basic``, in
NVlabs/stylegan ``training/networks_stylegan.py``) take keyword arguments with defaults, and a pickle stores
only the ones given at construction (the released models: resolution, num_channels, label_size). The
defaults below are therefore part of the format. Every option becomes a field of :class:`ArchitectureConfig`,
a Generator sampling default (truncation), or is checked to have the one value keras-stylegan implements:
anything else is an :class:`OfficialModelError` naming the option, never a silently different network.
"""

import math

from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.legacy.errors import OfficialModelError

# Keyword arguments of the official build functions and their defaults.
G_STYLE_DEFAULTS = dict(
    truncation_psi=0.7, truncation_cutoff=8, truncation_psi_val=None, truncation_cutoff_val=None,
    dlatent_avg_beta=0.995, style_mixing_prob=0.9)
G_MAPPING_DEFAULTS = dict(
    latent_size=512, label_size=0, dlatent_size=512, dlatent_broadcast=None, mapping_layers=8,
    mapping_fmaps=512, mapping_lrmul=0.01, mapping_nonlinearity="lrelu", use_wscale=True,
    normalize_latents=True, dtype="float32")
G_SYNTHESIS_DEFAULTS = dict(
    dlatent_size=512, num_channels=3, resolution=1024, fmap_base=8192, fmap_decay=1.0, fmap_max=512,
    use_styles=True, const_input_layer=True, use_noise=True, randomize_noise=True, nonlinearity="lrelu",
    use_wscale=True, use_pixel_norm=False, use_instance_norm=True, dtype="float32", fused_scale="auto",
    blur_filter=[1, 2, 1], structure="auto")
D_BASIC_DEFAULTS = dict(
    num_channels=1, resolution=32, label_size=0, fmap_base=8192, fmap_decay=1.0, fmap_max=512,
    nonlinearity="lrelu", use_wscale=True, mbstd_group_size=4, mbstd_num_features=1, dtype="float32",
    fused_scale="auto", blur_filter=[1, 2, 1], structure="auto")

ALL_OPTIONS = {**G_STYLE_DEFAULTS, **G_MAPPING_DEFAULTS, **G_SYNTHESIS_DEFAULTS, **D_BASIC_DEFAULTS}

# Options whose other values give a network keras-stylegan does not implement: option -> accepted values.
# dtype (the compute precision), randomize_noise (a call-time choice, our noise_mode) and structure
# linear/recursive (two graphs of one function) do not change the function; structure "fixed" has no
# progressive toRGB/fromRGB layers.
SUPPORTED_VALUES = {
    "mapping_nonlinearity": ("lrelu",),
    "nonlinearity": ("lrelu",),
    "use_wscale": (True,),
    "normalize_latents": (True,),
    "use_styles": (True,),
    "const_input_layer": (True,),
    "use_pixel_norm": (False,),
    "use_instance_norm": (True,),
    "blur_filter": ((1.0, 2.0, 1.0),),
    "structure": ("auto", "linear", "recursive"),
    "dtype": ("float32", "float16"),
    "fused_scale": (True, False, "auto"),
}
# Options G and D must agree on, since one ArchitectureConfig builds both.
SHARED_OPTIONS = ("resolution", "num_channels", "label_size", "fmap_base", "fmap_decay", "fmap_max", "fused_scale")

BUILD_FUNCTIONS = {"G": "G_style", "D": "D_basic", "mapping": "G_mapping", "synthesis": "G_synthesis"}
OTHER_FORMATS = {  # build functions of NVIDIA's other releases
    "G_paper": "ProGAN", "D_paper": "ProGAN", "G_main": "StyleGAN2", "D_stylegan2": "StyleGAN2",
    "G_synthesis_stylegan2": "StyleGAN2", "G_synthesis_stylegan_revised": "StyleGAN2",
}


def _comparable(value):
    """A static kwarg as the tables above hold it (filters as tuples of floats, numpy scalars as Python)."""
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1:
        return tuple(float(v) for v in value)
    return value.item() if hasattr(value, "item") else value


def check_build_function(network, role):
    """A clear error unless ``network`` was built by the official StyleGAN v1 function for ``role``."""
    expected, found = BUILD_FUNCTIONS[role], network.build_func_name
    if found in OTHER_FORMATS:
        raise OfficialModelError(
            f"network {network.name} is a {OTHER_FORMATS[found]} network (build function {found}); keras-stylegan "
            f"imports StyleGAN v1 pickles only ({expected}), e.g. karras2019stylegan-ffhq-1024x1024.pkl.")
    if found != expected:
        raise OfficialModelError(
            f"network {network.name} was built by {found!r}, not by StyleGAN v1's {expected}: keras-stylegan "
            "imports NVIDIA's StyleGAN v1 pickles only.")
    if network.version == 4:
        raise OfficialModelError(f"network {network.name} was pickled by StyleGAN2's dnnlib (format version 4); "
                                 "keras-stylegan imports StyleGAN v1 pickles only.")
    if network.version not in (2, 3):
        raise OfficialModelError(f"network {network.name} has pickle format version {network.version!r}; "
                                 "official StyleGAN v1 networks have version 2 or 3.")


def _merged_options(networks, defaults, what):
    """The build functions' defaults updated by the networks' static kwargs, refusing options unknown to
    every official build function and networks of one model that disagree on an option. Options of the other
    networks (D's mbstd_group_size given to G, ...) are ignored, as NVIDIA's build functions ignore them."""
    given = {}
    for network in networks:
        for option, value in network.static_kwargs.items():
            if option not in ALL_OPTIONS:
                raise OfficialModelError(
                    f"{what} has the option {option}={value!r}, which NVIDIA's StyleGAN v1 networks do not have; "
                    "keras-stylegan cannot tell what network it builds.")
            if option not in defaults:
                continue
            value = _comparable(value)
            if option in given and given[option] != value:
                raise OfficialModelError(f"{what}: its sub-networks disagree on {option} ({given[option]!r}, {value!r}).")
            given[option] = value
    options = {option: _comparable(value) for option, value in defaults.items()}
    options.update(given)
    for option, accepted in SUPPORTED_VALUES.items():
        if option in options and options[option] not in accepted:
            implemented = " or ".join(repr(value) for value in accepted)
            raise OfficialModelError(
                f"{what} uses {option}={options[option]!r}, which keras-stylegan does not implement (it "
                f"implements {option}={implemented}); this network cannot be imported.")
    return options


def generator_options(network):
    """Every option of an official generator (G or Gs: ``G_style`` with its mapping and synthesis components)."""
    check_build_function(network, "G")
    components = {}
    for key in ("mapping", "synthesis"):
        component = network.components.get(key)
        if component is None:
            raise OfficialModelError(f"generator {network.name} has no {key} sub-network "
                                     f"(it has {sorted(network.components)}); the pickle is damaged or not StyleGAN v1's.")
        check_build_function(component, key)
        components[key] = component
    defaults = {**G_STYLE_DEFAULTS, **G_MAPPING_DEFAULTS, **G_SYNTHESIS_DEFAULTS}
    return _merged_options([network, *components.values()], defaults, f"generator {network.name}")


def discriminator_options(network):
    """Every option of an official discriminator (``D_basic``)."""
    check_build_function(network, "D")
    if network.components:
        raise OfficialModelError(f"discriminator {network.name} has sub-networks {sorted(network.components)}; "
                                 "StyleGAN v1's D_basic has none.")
    return _merged_options([network], D_BASIC_DEFAULTS, f"discriminator {network.name}")


def _optional(value, disabled):
    """An official option where None means "disabled": ``disabled`` then, else the value."""
    return disabled if value is None else value


def architecture_config(g_options, d_options=None):
    """The :class:`ArchitectureConfig` of an official generator (and discriminator) from their options."""
    if d_options is None:  # a pickle of Gs alone: D_basic's defaults, with the generator's shared options
        d_options = {**D_BASIC_DEFAULTS, **{option: g_options[option] for option in SHARED_OPTIONS}}
    for option in SHARED_OPTIONS:
        if g_options[option] != d_options[option]:
            raise OfficialModelError(
                f"the generator has {option}={g_options[option]!r} but the discriminator {option}={d_options[option]!r}; "
                "keras-stylegan builds both from one architecture.")
    fused = {True: "true", False: "false", "auto": "auto"}[g_options["fused_scale"]]
    try:
        return ArchitectureConfig(
            resolution=int(g_options["resolution"]),
            num_channels=int(g_options["num_channels"]),
            label_size=int(g_options["label_size"]),
            latent_size=int(g_options["latent_size"]),
            dlatent_size=int(g_options["dlatent_size"]),
            mapping_layers=int(g_options["mapping_layers"]),
            mapping_fmaps=int(g_options["mapping_fmaps"]),
            mapping_lrmul=float(g_options["mapping_lrmul"]),
            fmap_base=int(g_options["fmap_base"]),
            fmap_decay=float(g_options["fmap_decay"]),
            fmap_max=int(g_options["fmap_max"]),
            w_avg_beta=float(_optional(g_options["dlatent_avg_beta"], 1.0)),  # None: w_avg never updated
            style_mixing_prob=float(_optional(g_options["style_mixing_prob"], 0.0)),
            fused_scale=fused,
            mbstd_group_size=int(_optional(d_options["mbstd_group_size"], 0)),
            mbstd_num_features=int(d_options["mbstd_num_features"]),
            use_noise=bool(g_options["use_noise"]),
        )
    except (TypeError, ValueError) as error:
        raise OfficialModelError(f"the official options do not make a valid architecture: {error}") from None


def truncation_defaults(g_options, config):
    """``{"truncation_psi", "truncation_cutoff"}``: the official generator's truncation, as our Generator's
    sampling defaults. Official truncation is off when psi or cutoff is None, psi is 1 or cutoff <= 0."""
    psi, cutoff = g_options["truncation_psi"], g_options["truncation_cutoff"]
    if psi is None or cutoff is None or cutoff <= 0:
        return {"truncation_psi": 1.0, "truncation_cutoff": config.num_layers}
    return {"truncation_psi": float(psi), "truncation_cutoff": int(cutoff)}


def sampling_stage(lod, config):
    """``{"stage", "alpha"}`` of an official level of detail: stage R / 2**floor(lod), alpha 1 - frac(lod)
    (the official networks blend that stage's new block with the one below by lod - floor(lod))."""
    lod = float(lod)
    if not 0 <= lod <= config.resolution_log2 - 2:
        raise OfficialModelError(f"the generator's lod is {lod}, outside 0..{config.resolution_log2 - 2} for "
                                 f"{config.resolution} px; the pickle is damaged.")
    return {"stage": config.resolution >> math.floor(lod), "alpha": 1.0 - (lod - math.floor(lod))}
