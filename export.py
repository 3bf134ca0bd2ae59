"""Export a trained generator for TF Serving, phones or a web page:

- ``--format=saved_model`` (default): ``python export.py --network=RUN_DIR --output=models/stylegan`` writes
  ``models/stylegan/1/``, a SavedModel with the signatures ``serving_default`` (z, truncation_psi -> uint8
  images), ``mapping`` (-> w), ``synthesis`` (w -> images), ``random_noise`` and ``synthesis_random_noise``
  (keras_stylegan/export/saved_model.py; the README's "Serving with TF Serving");
- ``--format=litert``: ``stylegan-float32.tflite`` and ``stylegan-float16.tflite`` (signatures ``mapping`` and
  ``synthesis``, one image at a time) and ``stylegan.json`` in ``--output`` (keras_stylegan/export/litert.py);
- ``--format=web``: the same, a page and LiteRT.js: a static site (keras_stylegan/export/web.py).

An existing output is kept unless --overwrite (which replaces only a previous export, once the new one is
complete); the paths and flags are checked before the network is loaded.
"""

import os

import numpy as np
from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.export import SIGNATURES, export_saved_model
from keras_stylegan.export import litert, web
from keras_stylegan.export.saved_model import check_export_target
from keras_stylegan.inference.latents import class_labels, latents_for_seeds
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.output_paths import check_output_dir

REPO = os.path.dirname(os.path.abspath(__file__))
CHECK_SEEDS = (0, 1, 2, 3)  # the images a litert / web export is compared on with generate.py's

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
flags.DEFINE_enum("format", "saved_model", ["saved_model", "litert", "web"], "saved_model (TF Serving), litert "
                  "(.tflite models for phones and other devices) or web (litert, a page and LiteRT.js: a static site).")
flags.DEFINE_string("output", None, "saved_model: the model's base directory (the SavedModel goes to "
                    "<output>/<version>/); litert and web: the directory the files go to.")
flags.DEFINE_list("weights", list(litert.VARIANTS), "litert / web: the weight precisions to convert, of "
                  f"{', '.join(litert.VARIANTS)} (the web page starts with the first).")
flags.DEFINE_string("node_modules", os.path.join(REPO, "node_modules"), "web: where `npm ci` installed LiteRT.js "
                    "(package.json pins it).")
flags.DEFINE_integer("version", 1, "saved_model: the version directory (an integer from 1 to 2**63 - 1; TF Serving "
                     "serves the highest).")
flags.DEFINE_integer("trunc_cutoff", None, "Style layers the truncation_psi input applies to, from the coarsest; "
                     "default: the network's own (8).")
tool_flags.define_overwrite_flag()

COMMON = {"network", "verbose", "format", "output", "trunc_cutoff", "overwrite"}
FORMAT_FLAGS = {"--format=saved_model": {"version"}, "--format=litert": {"weights"},
                "--format=web": {"weights", "node_modules"}}  # the flags of each format's own


def export():
    tool_flags.check_own_flags(f"--format={FLAGS.format}", FORMAT_FLAGS, COMMON)
    if FLAGS.output is None:
        raise UserError("give --output=DIR, the model's base directory (the export goes to DIR/<version>/)."
                        if FLAGS.format == "saved_model" else "give --output=DIR, the directory the files go to.")
    tool_flags.check_sampling_flags()
    if FLAGS.format != "saved_model":
        export_litert_or_web()
        return
    check_export_target(FLAGS.output, FLAGS.version, FLAGS.overwrite, flags=("--output", "--version"))
    generator = tool_flags.load_network()
    path = export_saved_model(generator, FLAGS.output, version=FLAGS.version,
                              truncation_cutoff=tool_flags.trunc_cutoff(generator), overwrite=FLAGS.overwrite)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
    print(f"Wrote {path} ({size / 2**20:.1f} MiB): {generator.stage}x{generator.stage}x{generator.config.num_channels} "
          f"uint8 images; signatures {', '.join(SIGNATURES)}.")


def export_litert_or_web():
    """--format=litert or web: check every output, convert, compare with generate.py's images, say where it is."""
    variants = litert.check_variants(FLAGS.weights)
    names = litert.litert_files(variants) if FLAGS.format == "litert" else web.web_files(variants)
    check_output_dir(FLAGS.output, names, "--output", FLAGS.overwrite)
    if FLAGS.format == "web":
        web.check_runtime(FLAGS.node_modules)
    generator = tool_flags.load_network()
    cutoff = tool_flags.trunc_cutoff(generator)
    if FLAGS.format == "litert":
        written = litert.export_litert(generator, FLAGS.output, variants, cutoff)
    else:
        written = web.export_web(generator, FLAGS.output, FLAGS.node_modules, variants, cutoff)
    models = ", ".join(f"{litert.model_file(v)} ({written[litert.model_file(v)] / 2**20:.1f} MiB)" for v in variants)
    print(f"Wrote {FLAGS.output}: {models}, {litert.METADATA_FILE}"
          f"{f' and the page with LiteRT.js ({len(names)} files)' if FLAGS.format == 'web' else ''}.")
    print(compare_with_generate(generator, FLAGS.output, variants, cutoff))
    if FLAGS.format == "web":
        print(f"To see it: cd {FLAGS.output} && python -m http.server 8000, then open http://localhost:8000/ "
              "(on a phone on the same network: http://<this computer's address>:8000/).")


def compare_with_generate(generator, directory, variants, cutoff):
    """One line: how far the exported models' images of CHECK_SEEDS are from generate.py's (const noise, the
    network's psi) and, for a network that computes in bfloat16 or float16, from its float32 copy's (what the
    models compute); or why they were not compared."""
    if litert.interpreter_class() is None:
        return "Not compared with generate.py's images: that needs the ai-edge-litert package (pip install ai-edge-litert)."
    z = latents_for_seeds(CHECK_SEEDS, generator.config.latent_size)
    label_size = generator.config.label_size
    labels = class_labels(0 if label_size else None, label_size, len(CHECK_SEEDS))
    psi = np.float32(generator.truncation_psi)
    references = {"generate.py's": generator}
    compute = generator.dtype_policy.compute_dtype
    if compute != "float32":
        references = {f"generate.py's ({compute})": generator,
                      "the float32 network's": generator.with_policy("float32")}
    exported = {variant: litert.LiteRTGenerator(directory, variant).images(z, psi, cutoff, labels)
                for variant in variants}
    parts = []
    for name, network in references.items():
        inputs = [z, psi] + ([] if labels is None else [labels])
        expected = Sampler(network, truncation_cutoff=cutoff).generate(*inputs)["images"].numpy()
        for variant, images in exported.items():
            difference = np.abs(images.astype(int) - expected.astype(int))
            parts.append(f"{variant} vs {name}: at most {difference.max()} level(s), "
                         f"{(difference > 0).mean():.2%} of values differ")
    return f"Seeds {','.join(map(str, CHECK_SEEDS))} at psi {psi:g}: {'; '.join(parts)}."


if __name__ == "__main__":
    tool_flags.run("export.py", export)
