"""Export a trained generator as a SavedModel for TF Serving:
``python export.py --network=RUN_DIR --output=models/stylegan`` writes ``models/stylegan/1/``.

Signatures ``serving_default`` (z, truncation_psi -> uint8 images), ``mapping`` (-> w), ``synthesis``
(w -> images), ``random_noise`` and ``synthesis_random_noise`` (fresh noise from one seed per image);
see keras_stylegan/export/saved_model.py and the README's "Serving with TF Serving". An existing
``<output>/<version>/`` is kept unless --overwrite (which replaces only a previous export, once the new one
is complete); the paths and flags are checked before the network is loaded.
"""

import os

from absl import flags

import tool_flags
from keras_stylegan.errors import UserError
from keras_stylegan.export import SIGNATURES, export_saved_model
from keras_stylegan.export.saved_model import check_export_target

FLAGS = flags.FLAGS
tool_flags.define_network_flags()
flags.DEFINE_string("output", None, "The model's base directory; the SavedModel goes to <output>/<version>/.")
flags.DEFINE_integer("version", 1, "Version directory (an integer from 1 to 2**63 - 1; TF Serving serves the "
                     "highest).")
flags.DEFINE_integer("trunc_cutoff", None, "Style layers the truncation_psi input applies to, from the coarsest; "
                     "default: the network's own (8).")
tool_flags.define_overwrite_flag()


def export():
    if FLAGS.output is None:
        raise UserError("give --output=DIR, the model's base directory (the export goes to DIR/<version>/).")
    tool_flags.check_trunc_cutoff()
    check_export_target(FLAGS.output, FLAGS.version, FLAGS.overwrite, flags=("--output", "--version"))
    generator = tool_flags.load_network()
    path = export_saved_model(generator, FLAGS.output, version=FLAGS.version,
                              truncation_cutoff=tool_flags.trunc_cutoff(generator), overwrite=FLAGS.overwrite)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
    print(f"Wrote {path} ({size / 2**20:.1f} MiB): {generator.stage}x{generator.stage}x{generator.config.num_channels} "
          f"uint8 images; signatures {', '.join(SIGNATURES)}.")


if __name__ == "__main__":
    tool_flags.run("export.py", export)
