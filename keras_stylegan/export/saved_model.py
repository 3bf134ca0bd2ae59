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

SIGNATURES = {  # signature name -> Sampler function
    "serving_default": "generate",
    "mapping": "mapping",
    "synthesis": "synthesis",
    "random_noise": "generate_random_noise",
    "synthesis_random_noise": "synthesis_random_noise",
}
NETWORK_FILE = os.path.join("assets.extra", "network.keras")


def export_saved_model(
    generator,  # a keras_stylegan Generator (e.g. keras_stylegan.load_generator(run_dir))
    output,  # the model's base directory; the export goes to <output>/<version>
    version=1,  # a positive integer: TF Serving serves the highest version in <output>
    truncation_cutoff=None,  # layers truncation applies to; None = the generator's default
):
    """Write the SavedModel (through a hidden temporary directory renamed at the end); returns its path."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UserError(f"version must be a positive integer (TF Serving's version directories), got {version!r}.")
    target = os.path.join(os.fspath(output), str(version))
    if os.path.exists(target):
        raise UserError(f"{target} already exists: give another version (e.g. {version + 1}) or remove it.")
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
        os.rename(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def saved_model_dir(path):
    """The SavedModel directory ``path`` names: itself (a version directory) or, for a base directory, its
    highest version; None when there is none."""
    versions = sorted((int(name) for name in _listdir(path) if name.isdigit()), reverse=True)
    for directory in [path] + [os.path.join(path, str(v)) for v in versions[:1]]:
        if os.path.isfile(os.path.join(directory, "saved_model.pb")):
            return directory
    return None


def _listdir(path):
    return os.listdir(path) if os.path.isdir(path) else []
