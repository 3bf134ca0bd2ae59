"""Export a Generator for phones and browsers: LiteRT (``.tflite``, formerly TensorFlow Lite) models with a
small JSON beside them.

One ``.tflite`` file per weight precision holds two signatures, the SavedModel's ``mapping`` and
``synthesis`` for one image at a time (static shapes: what GPU delegates and LiteRT.js want):

================  ==============================================  ====================================
signature         inputs                                          outputs
================  ==============================================  ====================================
``mapping``       z float32 [1, z_dim] (+ labels [1, label_size])  w float32 [1, w_dim] (not truncated)
``synthesis``     ws float32 [1, num_layers, w_dim]                images uint8 [1, R, R, C]
================  ==============================================  ====================================

Between the two, the app does what the SavedModel's ``mapping`` does inside: repeat w for every layer and
truncate (StyleGAN Sec. 3.2, Appendix B: ``w_avg + psi * (w - w_avg)`` on the first ``truncation_cutoff``
layers), and, if it wants, mixes styles (Sec. 3.1) by copying the layers of a band from a second ws. The
JSON (:data:`METADATA_FILE`) carries what that needs: ``w_avg``, the default psi and cutoff, the layers of
each band, the shapes. Noise is the constant noise stored in the network (reproducible images).

The models are converted by TensorFlow's own converter with TFLite's built-in operators only (no Flex /
select TF ops), so every LiteRT runtime runs them: the Android and iOS interpreters, the ai-edge-litert
Python package and LiteRT.js in a browser. ``float32`` keeps the weights as they are; ``float16`` stores
them as float16 (half the size), dequantized to float32 when the model loads, so the arithmetic stays
float32 on a CPU.
"""

import json
import os
import tempfile

import numpy as np
import tensorflow as tf

from keras_stylegan.errors import UserError
from keras_stylegan.inference.image_io import atomic_output
from keras_stylegan.inference.sampler import IMAGES, W, to_uint8
from keras_stylegan.networks.style_mixing import BANDS, layers_of_band
from keras_stylegan.networks.truncation import truncate
from keras_stylegan.startup import quiet_native_output

VARIANTS = ("float32", "float16")  # weight precisions of the exported models
METADATA_FILE = "stylegan.json"
FORMAT = "keras-stylegan-litert"


def model_file(variant):
    """The .tflite file name of a weight precision, e.g. ``stylegan-float16.tflite``."""
    return f"stylegan-{variant}.tflite"


def litert_files(variants=VARIANTS):
    """Every file :func:`export_litert` writes for ``variants``."""
    return [model_file(variant) for variant in variants] + [METADATA_FILE]


def check_variants(variants):
    """``variants`` as a list, or a UserError naming the known ones."""
    variants = list(dict.fromkeys(variants))
    unknown = [variant for variant in variants if variant not in VARIANTS]
    if unknown or not variants:
        raise UserError(f"LiteRT weight precisions must be among {', '.join(VARIANTS)}, got {variants or 'none'}.")
    return variants


class _BatchOneGraphs(tf.Module):
    """The network's mapping and synthesis as graph functions of one image with static shapes, const noise,
    at the generator's sampling stage and fade-in. A tf.Module that holds the tf.Variables the graphs read and
    nothing else: with the Keras variables (their wrappers) tracked instead, the converter left every weight a
    resource variable, which a runtime reads uninitialised."""

    def __init__(self, generator):
        super().__init__()
        config = generator.config
        self.weights = [variable.value for variable in generator.weights]

        def mapping(z, labels=None):
            return {W: tf.cast(generator.mapping(z, labels), tf.float32)}

        def synthesis(ws):
            return {IMAGES: to_uint8(generator.synthesize(ws, noise_mode="const"))}

        specs = [tf.TensorSpec([1, config.latent_size], tf.float32, name="z")]
        if config.label_size:
            specs.append(tf.TensorSpec([1, config.label_size], tf.float32, name="labels"))
        self.mapping = tf.function(mapping, input_signature=specs)
        self.synthesis = tf.function(
            synthesis, input_signature=[tf.TensorSpec([1, generator.num_layers, config.dlatent_size], tf.float32,
                                                      name="ws")])


def convert(generator, variants=VARIANTS):
    """{variant: .tflite bytes}, each model holding the ``mapping`` and ``synthesis`` signatures of the
    generator computing in float32: TFLite's built-in operators have no bfloat16 type, and a network trained under
    mixed precision (bfloat16 or float16 compute, float32 variables) runs in float32 on a device's CPU.

    The graphs go through a SavedModel in a temporary directory: it is the converter's path for several
    signatures in one model, and it freezes the variables into constants.
    """
    graphs = _BatchOneGraphs(generator.with_policy("float32"))
    models = {}
    with tempfile.TemporaryDirectory(prefix="litert-") as directory:
        tf.saved_model.save(graphs, directory, signatures={
            "mapping": graphs.mapping.get_concrete_function(), "synthesis": graphs.synthesis.get_concrete_function()})
        for variant in check_variants(variants):
            converter = tf.lite.TFLiteConverter.from_saved_model(directory, signature_keys=["mapping", "synthesis"])
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
            if variant == "float16":
                converter.optimizations = [tf.lite.Optimize.DEFAULT]
                converter.target_spec.supported_types = [tf.float16]
            models[variant] = converter.convert()
    return models


def metadata(generator, truncation_cutoff=None):
    """What an app needs between the two signatures: shapes, w_avg, the default psi and cutoff, the bands."""
    config = generator.config
    num_layers = generator.num_layers
    active = config.num_layers_at(generator.stage)
    cutoff = generator.truncation_cutoff if truncation_cutoff is None else int(truncation_cutoff)
    return {
        "format": FORMAT,
        "resolution": generator.stage,  # the images' size: the sampling stage (a snapshot's may be below the network's)
        "network_resolution": config.resolution,
        "alpha": generator.alpha,
        "num_channels": config.num_channels,
        "latent_size": config.latent_size,
        "dlatent_size": config.dlatent_size,
        "label_size": config.label_size,
        "num_layers": num_layers,
        "w_avg": [float(value) for value in np.asarray(generator.w_avg, np.float32)],
        "truncation_psi": generator.truncation_psi,
        "truncation_cutoff": cutoff,
        "bands": {band: [i for i in layers_of_band(band, num_layers) if i < active] for band in BANDS},
        "models": {},
    }


def export_litert(
    generator,  # a keras_stylegan Generator (e.g. keras_stylegan.load_generator(run_dir))
    output,  # directory the models and the JSON go to (created if needed)
    variants=VARIANTS,  # weight precisions: "float32", "float16"
    truncation_cutoff=None,  # the JSON's default cutoff; None = the generator's own
):
    """Write ``stylegan-<variant>.tflite`` for each variant and ``stylegan.json``; returns {file: bytes written}.

    Each file is written under a temporary name and renamed; existing files are replaced (the caller
    checks its outputs first: keras_stylegan.output_paths).
    """
    if truncation_cutoff is not None and truncation_cutoff < 0:
        raise UserError(f"truncation_cutoff must be >= 0 (0 truncates no layer), got {truncation_cutoff}.")
    variants = check_variants(variants)
    models = convert(generator, variants)
    info = metadata(generator, truncation_cutoff)
    os.makedirs(output, exist_ok=True)
    written = {}
    for variant, data in models.items():
        name = model_file(variant)
        with atomic_output(os.path.join(output, name)) as partial:
            with open(partial, "wb") as file:
                file.write(data)
        info["models"][variant] = name
        written[name] = len(data)
    text = json.dumps(info, indent=1) + "\n"
    with atomic_output(os.path.join(output, METADATA_FILE)) as partial:
        with open(partial, "w", encoding="utf-8") as file:
            file.write(text)
    written[METADATA_FILE] = len(text.encode("utf-8"))
    return written


def interpreter_class():
    """The LiteRT interpreter class of the ai-edge-litert package, or None when it is not installed."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return None
    return Interpreter


class LiteRTGenerator:
    """An exported ``.tflite`` run by the ai-edge-litert interpreter, with truncation and style mixing done
    between its two signatures as an app does (:func:`keras_stylegan.networks.truncation.truncate`). In a
    command line without ``--verbose`` the runtime's own lines (``INFO: Created TensorFlow Lite XNNPACK delegate
    for CPU.``) are held back (keras_stylegan/startup.py)."""

    def __init__(
        self,
        directory,  # what export_litert wrote
        variant="float32",  # which weight precision to run
        num_threads=None,  # interpreter threads; None = the runtime's default
    ):
        interpreter = interpreter_class()
        if interpreter is None:
            raise UserError("running a LiteRT model in Python needs the ai-edge-litert package "
                            "(pip install ai-edge-litert==2.3.0).")
        with open(os.path.join(directory, METADATA_FILE), encoding="utf-8") as file:
            self.metadata = json.load(file)
        path = os.path.join(directory, self.metadata["models"][variant])
        self.interpreter = interpreter(model_path=path, num_threads=num_threads)
        self._mapping = self.interpreter.get_signature_runner("mapping")
        self._synthesis = self.interpreter.get_signature_runner("synthesis")

    def mapping(self, z, labels=None):
        """w float32 [1, w_dim] of one z [1, z_dim]."""
        inputs = {"z": np.asarray(z, np.float32)}
        if labels is not None:
            inputs["labels"] = np.asarray(labels, np.float32)
        with quiet_native_output():
            return self._mapping(**inputs)[W]

    def synthesis(self, ws):
        """uint8 images [1, R, R, C] of per-layer styles ws [1, num_layers, w_dim]."""
        with quiet_native_output():
            return self._synthesis(ws=np.asarray(ws, np.float32))[IMAGES]

    def styles(self, z, truncation_psi, truncation_cutoff=None, labels=None):
        """Truncated per-layer styles [1, num_layers, w_dim] of one z, as the SavedModel's ``mapping``."""
        info = self.metadata
        cutoff = info["truncation_cutoff"] if truncation_cutoff is None else truncation_cutoff
        ws = np.repeat(self.mapping(z, labels)[:, None, :], info["num_layers"], axis=1)
        return truncate(ws, np.asarray(info["w_avg"], np.float32), np.float32(truncation_psi), cutoff).numpy()

    def images(self, z, truncation_psi, truncation_cutoff=None, labels=None):
        """uint8 images [N, R, R, C] for latents z [N, z_dim] (and labels [N, label_size]), one call per image."""
        z = np.asarray(z, np.float32)
        rows = [None if labels is None else np.asarray(labels, np.float32)[i:i + 1] for i in range(len(z))]
        return np.concatenate([self.synthesis(self.styles(z[i:i + 1], truncation_psi, truncation_cutoff, rows[i]))
                               for i in range(len(z))])
