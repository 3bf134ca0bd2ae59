"""Official StyleGAN v1 pickles built in the tests, from NVIDIA's reference variables (no NVIDIA code).

The official format is the tuple (G, D, Gs) of ``dnnlib.tflib.network.Network`` objects, each pickled as its
state dict (version, name, static_kwargs, components, build_module_src, build_func_name, variables). The
``Network`` class here is a stand-in registered in ``sys.modules`` only while pickling, so the files name the
same global as NVIDIA's; its ``build_module_src`` raises (and leaves a marker file) if anything runs it.
"""

import contextlib
import os
import pickle
import sys
import types

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "nvidia-stylegan-reference")

# The fixtures' configuration (fixture README): official defaults but for these, at 32 and 128 px.
_WIDTHS = dict(num_channels=3, label_size=0, fmap_base=256, fmap_max=64)
G_OPTIONS = {name: dict(resolution=int(name[1:]), **_WIDTHS, latent_size=64, dlatent_size=64, mapping_fmaps=64)
             for name in ("r32", "r128")}
D_OPTIONS = {name: dict(resolution=int(name[1:]), **_WIDTHS) for name in ("r32", "r128")}


def raising_source(marker):
    """A build_module_src that leaves ``marker`` and raises if it is ever executed."""
    return (f"open({str(marker)!r}, 'w').close()\n"
            "raise RuntimeError('build_module_src of an official pickle was executed')\n")


def load_fixture(name):
    """(G variables, D variables, ref outputs) of fixture ``name``: official names, D's without ``D/``."""
    variables = dict(np.load(os.path.join(FIXTURES, name, "vars.npz")))
    ref = dict(np.load(os.path.join(FIXTURES, name, "ref.npz")))
    g_vars = {k: v for k, v in variables.items() if not k.startswith("D/")}
    d_vars = {k[2:]: v for k, v in variables.items() if k.startswith("D/")}
    return g_vars, d_vars, ref


@contextlib.contextmanager
def network_class(module="dnnlib.tflib.network"):
    """A stand-in ``Network`` class of ``module`` (ProGAN's is ``tfutil``) whose pickle is its state dict,
    importable by pickle only inside the ``with`` block."""
    parts = module.split(".")
    modules = {".".join(parts[:i]): types.ModuleType(".".join(parts[:i])) for i in range(1, len(parts) + 1)}

    class Network:
        def __init__(self, state):
            self.state = state

        def __getstate__(self):
            return self.state

    Network.__module__, Network.__qualname__ = module, "Network"
    modules[module].Network = Network
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield Network
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


class OfficialPickle:
    """Builds network states the way NVIDIA's dnnlib pickles them."""

    def __init__(self, Network, source, version):
        self.Network = Network
        self.source = source
        self.version = version  # of the dnnlib pickle format: 3 for StyleGAN v1 (2 for ProGAN, 4 for StyleGAN2)

    def network(self, name, build_func_name, variables, static_kwargs, components=None):
        return self.Network(dict(
            version=self.version, name=name, static_kwargs=dict(static_kwargs), components=dict(components or {}),
            build_module_src=self.source, build_func_name=build_func_name,
            variables=[(key, np.asarray(value)) for key, value in variables.items()]))

    def generator(self, name, variables, options, style_options=None, build_funcs=("G_style", "G_mapping", "G_synthesis")):
        """A G_style network: its own variables (lod, dlatent_avg), and G_mapping and G_synthesis components
        holding the variables named ``G_mapping/...`` and ``G_synthesis/...``."""
        own = {k: v for k, v in variables.items() if "/" not in k}
        parts = {prefix: {k[len(prefix) + 1:]: v for k, v in variables.items() if k.startswith(prefix + "/")}
                 for prefix in ("G_mapping", "G_synthesis")}
        num_layers = 2 * int(np.log2(options["resolution"])) - 2
        components = {
            "synthesis": self.network("G_synthesis", build_funcs[2], parts["G_synthesis"], options),
            "mapping": self.network("G_mapping", build_funcs[1], parts["G_mapping"],
                                    {**options, "dlatent_broadcast": num_layers}),
        }
        return self.network(name, build_funcs[0], own, {**options, **(style_options or {})}, components)

    def discriminator(self, variables, options, build_func="D_basic"):
        return self.network("D", build_func, variables, options)


def write_pickle(path, obj_factory, marker, module="dnnlib.tflib.network", version=3):
    """Pickle what ``obj_factory(OfficialPickle)`` returns (protocol 4, as NVIDIA's dnnlib) to ``path``."""
    with network_class(module) as Network:
        obj = obj_factory(OfficialPickle(Network, raising_source(marker), version))
        with open(path, "wb") as file:
            pickle.dump(obj, file, protocol=4)
    return str(path)


def write_fixture_pickle(path, name, marker, g_vars=None, d_vars=None, gs_vars=None, g_options=None,
                         d_options=None, style_options=None):
    """The official (G, D, Gs) pickle of fixture ``name`` (G and Gs both its generator unless given);
    ``g_options`` / ``d_options`` are merged into the fixture's static kwargs."""
    fixture_g, fixture_d, _ = load_fixture(name)
    g_opts = {**G_OPTIONS[name], **(g_options or {})}
    d_opts = {**D_OPTIONS[name], **(d_options or {})}

    def build(official):
        return (official.generator("G", fixture_g if g_vars is None else g_vars, g_opts, style_options),
                official.discriminator(fixture_d if d_vars is None else d_vars, d_opts),
                official.generator("Gs", fixture_g if gs_vars is None else gs_vars, g_opts, style_options))

    return write_pickle(path, build, marker)
