"""Reading NVIDIA's TF1 network pickles without running any code from them.

An official pickle (e.g. ``karras2019stylegan-ffhq-1024x1024.pkl``) holds the tuple (G, D, Gs) of
``dnnlib.tflib.network.Network`` objects. Opening it with NVIDIA's code executes each network's
``build_module_src`` (the Python source of its build function), and a plain ``pickle.load`` calls whatever
global a crafted file names. :class:`RestrictedUnpickler` resolves only that Network class, to the inert
:class:`OfficialNetwork` that keeps its state, and the numpy helpers that rebuild arrays; every other global
is refused, by name, before anything is called. ``build_module_src`` is kept as a string: never executed,
never compiled.
"""

import codecs
import pickle
import sys

import numpy as np

from keras_stylegan.legacy.errors import OfficialModelError


class OfficialNetwork:
    """The pickled state of one official ``Network`` (its ``__getstate__`` dict), inert.

    ``version`` (2 or 3: StyleGAN v1 and ProGAN's dnnlib; 4: StyleGAN2), ``name`` ("G", "D", "Gs",
    "G_synthesis", ...), ``static_kwargs`` (keyword arguments of the build function), ``components``
    ({key: OfficialNetwork}, G's "mapping" and "synthesis"), ``build_func_name`` ("G_style", "D_basic", ...),
    ``build_module_src`` (kept, never run) and ``variables`` ([(name, array)]: the network's own variables,
    without its components').
    """

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise OfficialModelError(f"a pickled network holds a {type(state).__name__} where the official "
                                     "format has a state dict; the file is not an official network pickle.")
        self.version = state.get("version")
        self.name = str(state.get("name"))
        self.static_kwargs = dict(state.get("static_kwargs") or {})
        self.components = dict(state.get("components") or {})
        self.build_func_name = state.get("build_func_name")
        self.build_module_src = state.get("build_module_src")
        self.variables = list(state.get("variables") or [])

    def all_variables(self):
        """``{name: array}`` of the network and its components, a component's variables prefixed by the
        component's name, as the official ``Network.vars`` names them (``G_synthesis/4x4/Const/const``)."""
        found = {}
        for name, value in self.variables:
            found[str(name)] = value
        for component in self.components.values():
            for name, value in component.all_variables().items():
                found[f"{component.name}/{name}"] = value
        return found


def _latin1_encode(text, encoding):
    """``_codecs.encode`` as pickle protocol 2 uses it for bytes (latin-1 only; any other codec refused)."""
    if encoding != "latin1":
        raise OfficialModelError(f"refused _codecs.encode with the codec {encoding!r} (numpy arrays need "
                                 "only latin1); the file is not an official network pickle.")
    return codecs.encode(text, "latin1")


def _numpy_helpers():
    """The functions numpy's own pickles name, taken from numpy itself (their module moved from
    ``numpy.core`` in numpy 1.x to ``numpy._core`` in 2.x; a pickle may name either)."""
    reconstruct = np.zeros(1).__reduce__()[0]
    frombuffer = np.zeros(1).__reduce_ex__(5)[0]
    scalar = np.float32(0).__reduce__()[0]
    helpers = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for package in ("numpy.core", "numpy._core"):
        helpers[(f"{package}.multiarray", "_reconstruct")] = reconstruct
        helpers[(f"{package}.multiarray", "scalar")] = scalar
        helpers[(f"{package}.numeric", "_frombuffer")] = frombuffer
    return helpers


ALLOWED_GLOBALS = {
    ("dnnlib.tflib.network", "Network"): OfficialNetwork,  # StyleGAN v1 and StyleGAN2
    ("tfutil", "Network"): OfficialNetwork,  # ProGAN: read only to say clearly that it is ProGAN's
    ("_codecs", "encode"): _latin1_encode,
    **_numpy_helpers(),
}


class RestrictedUnpickler(pickle.Unpickler):
    """A pickle.Unpickler that resolves only :data:`ALLOWED_GLOBALS` and refuses any other global."""

    def __init__(self, file, path):
        super().__init__(file)
        self.path = path

    def find_class(self, module, name):
        allowed = ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise OfficialModelError(
                f"refused to load {self.path}: it names the global {module}.{name}, which an official StyleGAN "
                "pickle does not contain (only dnnlib.tflib.network.Network and numpy arrays are read); "
                "nothing from the file was run. Use NVIDIA's published file.")
        return allowed


def read_pickle(path):
    """The object an official pickle holds, with :class:`OfficialNetwork` for every network in it.

    A damaged file (cut short, bytes changed) is an OfficialModelError whatever the unpickler meets: a length
    asking for more memory than there is, numpy refusing a garbled dtype (SystemError). What a failed load
    leaves half-built is freed here, and Python's report of a buffer numpy still held in it (printed while it
    is freed, outside any exception) is held back: it would print after the one-line error.
    """
    hooks = sys.excepthook, sys.unraisablehook
    sys.excepthook = sys.unraisablehook = lambda *args: None
    try:
        return _load(path)
    finally:
        sys.excepthook, sys.unraisablehook = hooks


def _load(path):
    """:func:`read_pickle` without its clean-up: the OfficialModelError is raised once the failed unpickler and
    its traceback are gone."""
    try:
        with open(path, "rb") as file:
            return RestrictedUnpickler(file, path).load()
    except OfficialModelError as error:
        message = str(error)
    except OSError as error:
        message = f"cannot read {path}: {error.strerror or error}."
    except MemoryError:
        message = (f"{path} is not a readable pickle (a length in it asks for more memory than there is); is the "
                   "download complete?")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            OverflowError, SystemError) as error:
        message = f"{path} is not a readable pickle ({type(error).__name__}: {error}); is the download complete?"
    raise OfficialModelError(message)  # here the failed unpickler and what it built are freed (reference counts)
