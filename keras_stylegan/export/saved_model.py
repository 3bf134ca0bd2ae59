"""Export a Generator as a SavedModel laid out as TF Serving expects: ``<output>/<version>/``.

The signatures are the graph functions of :class:`keras_stylegan.inference.sampler.Sampler`, the ones
``generate.py`` runs, so an export reproduces its images byte for byte:

=========================  =========================================================  ==========================
signature                  inputs                                                     outputs
=========================  =========================================================  ==========================
``serving_default``        z float32 [N, z_dim], truncation_psi float32 (scalar or    images uint8 [N, R, R, C]
                           [N], in [-1, 2]) (+ labels float32 [N, label_size])
``mapping``                the same                                                   w float32 [N, L, w_dim]
``synthesis``              w float32 [N, L, w_dim]                                    images
``random_noise``           as serving_default + noise_seed int64 [N]                  images
``synthesis_random_noise`` w, noise_seed int64 [N]                                    images
=========================  =========================================================  ==========================

``serving_default``, ``mapping`` and ``synthesis`` use the constant noise stored in the network
(reproducible images); the ``*random_noise`` ones draw fresh noise from one seed per image. Images are at
the network's sampling stage (a snapshot's: the resolution its training had reached). The SavedModel is
written by ``keras.export.ExportArchive`` (each weight the signatures use stored once), whose variables also restore through TensorFlow 1's session
loader (``tf.compat.v1.saved_model.loader.load``), the path TF Serving's C++ loader and
``saved_model_cli run`` take; a plain ``tf.Module`` export did not ("Could not find variable"). The
network itself is kept in ``assets.extra/network.keras`` (TF Serving ignores that directory), so that
``keras_stylegan.load_generator`` also takes an export.
"""

import os
import shutil
import tempfile

import keras

from keras_stylegan.errors import UserError
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.output_paths import check_creatable_dir, check_output_tree, move_into_place

SIGNATURES = {  # signature name -> Sampler function
    "serving_default": "generate",
    "mapping": "mapping",
    "synthesis": "synthesis",
    "random_noise": "generate_random_noise",
    "synthesis_random_noise": "synthesis_random_noise",
}
NETWORK_FILE = os.path.join("assets.extra", "network.keras")
SAVED_MODEL_FILE = "saved_model.pb"
MAX_VERSION = 2**63 - 1  # TF Serving reads version directories as int64


def check_export_target(output, version, overwrite=False, flags=("output", "version")):
    """``<output>/<version>``, once ``version`` is a TF Serving version and the directory can be written: the
    base directory exists or can be created, and the version directory does not exist unless ``overwrite``,
    which replaces only a previous export (a directory holding saved_model.pb). A UserError otherwise, naming
    ``flags`` (the tool's names for output and version). Called by :func:`export_saved_model`, and by a tool
    before it loads the network."""
    output_flag, version_flag = flags
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise UserError(f"{version_flag} must be an integer from 1 to {MAX_VERSION} (TF Serving's version "
                        f"directories are int64), got {version!r}.")
    check_creatable_dir(output, output_flag)
    target = os.path.join(os.fspath(output), str(version))
    check_output_tree(target, output_flag, overwrite, marker=SAVED_MODEL_FILE, what="SavedModel",
                      retry=f"{version_flag} (e.g. {version + 1})" if version < MAX_VERSION else version_flag)
    return target


def export_saved_model(
    generator,  # a keras_stylegan Generator (e.g. keras_stylegan.load_generator(run_dir))
    output,  # the model's base directory; the export goes to <output>/<version>
    version=1,  # a positive integer: TF Serving serves the highest version in <output>
    truncation_cutoff=None,  # layers truncation applies to; None = the generator's default
    overwrite=False,  # replace an existing <output>/<version> that holds a SavedModel
):
    """Write the SavedModel (through a hidden temporary directory renamed at the end, so a server never sees
    half an export); returns its path."""
    target = check_export_target(output, version, overwrite)
    os.makedirs(output, exist_ok=True)
    sampler = Sampler(generator, truncation_cutoff=truncation_cutoff)
    # Not archive.track(generator): on the TensorFlow backend it adds the keras.Variable wrappers beside the
    # tf.Variables the endpoints capture, and the SavedModel then stores every weight twice (keras-team/keras
    # #23553). The endpoints' own variables are all the signatures need.
    archive = keras.export.ExportArchive()
    for name, function in SIGNATURES.items():
        archive.add_endpoint(name, sampler.functions[function])
    partial = tempfile.mkdtemp(prefix=f".{version}.partial-", dir=output)
    try:
        archive.write_out(partial, verbose=False)
        os.makedirs(os.path.dirname(os.path.join(partial, NETWORK_FILE)), exist_ok=True)
        generator.save(os.path.join(partial, NETWORK_FILE))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o777 & ~umask)  # mkdtemp's 0700 would hide the model from a server running as another user
        move_into_place(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target



def saved_model_dir(path):
    """The SavedModel directory ``path`` names: itself (a version directory) or, for a base directory, its
    highest version; None when there is none."""
    versions = sorted((int(name) for name in _listdir(path) if name.isdigit()), reverse=True)
    for directory in [path] + [os.path.join(path, str(v)) for v in versions[:1]]:
        if os.path.isfile(os.path.join(directory, SAVED_MODEL_FILE)):
            return directory
    return None


def _listdir(path):
    return os.listdir(path) if os.path.isdir(path) else []
