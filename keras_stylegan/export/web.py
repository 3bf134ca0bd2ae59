"""Export a Generator as a static web site: the LiteRT models (keras_stylegan/export/litert.py), the LiteRT.js
runtime that runs them in WebAssembly, and a page to draw images by seed with a truncation slider and
coarse / middle / fine style mixing of two seeds (``web_page/``).

The folder is complete: any static file server shows it (``python -m http.server`` in it), with no
internet connection, on a laptop or, over the local network, on a phone. The runtime's files are copied
from the npm packages the repository's ``package.json`` pins (``npm ci`` installs them into
``node_modules/``); LiteRT.js is Apache-2.0, and the export carries its notice.

Layout::

    index.html  stylegan.js  random_state.js  style.css      the page
    stylegan.json  stylegan-float32.tflite  stylegan-float16.tflite   the LiteRT export
    litertjs/core.js  litertjs/wasm-utils.js  litertjs/wasm/*   LiteRT.js (its relaxed-SIMD and compatible builds)
"""

import json
import os
import shutil

from keras_stylegan.errors import UserError
from keras_stylegan.export.litert import VARIANTS, export_litert, litert_files
from keras_stylegan.inference.image_io import atomic_output

PAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "web_page")
PAGE_FILES = ("index.html", "stylegan.js", "random_state.js", "style.css")
LITERTJS = {"@litertjs/core": "2.5.3", "@litertjs/wasm-utils": "2.5.3"}  # the versions package.json pins
RUNTIME_FILES = {  # file in the export -> (npm package, file in the package)
    "litertjs/core.js": ("@litertjs/core", "dist/index.js"),
    "litertjs/wasm-utils.js": ("@litertjs/wasm-utils", "dist/index.js"),
    # The default build needs WebAssembly relaxed SIMD; LiteRT.js falls back to the compatible one without it.
    # Its threaded build needs a cross-origin isolated page (headers a plain static server does not send).
    **{f"litertjs/wasm/{name}": ("@litertjs/core", f"wasm/{name}")
       for build in ("litert_wasm_internal", "litert_wasm_compat_internal") for name in (f"{build}.js", f"{build}.wasm")},
}
NOTICE_FILE = "litertjs/NOTICE.txt"


def web_files(variants=VARIANTS):
    """Every file (relative path) :func:`export_web` writes."""
    return list(PAGE_FILES) + litert_files(variants) + list(RUNTIME_FILES) + [NOTICE_FILE]


def check_runtime(node_modules):
    """A UserError unless ``node_modules`` holds the pinned LiteRT.js packages' files."""
    for package, version in LITERTJS.items():
        manifest = os.path.join(node_modules, package, "package.json")
        try:
            with open(manifest, encoding="utf-8") as file:
                found = json.load(file).get("version")
        except (OSError, ValueError):
            raise UserError(f"LiteRT.js is not installed in {node_modules} (no {package}): run `npm ci` in the "
                            "repository (package.json pins it), or give --node_modules=DIR.") from None
        if found != version:
            raise UserError(f"{manifest} is version {found}, the page is made for {version}: run `npm ci` in the "
                            "repository to install the pinned version.")
    missing = [source for package, source in RUNTIME_FILES.values()
               if not os.path.isfile(os.path.join(node_modules, package, source))]
    if missing:
        raise UserError(f"LiteRT.js in {node_modules} lacks {missing[0]}: run `npm ci` in the repository again.")


def export_web(
    generator,  # a keras_stylegan Generator
    output,  # the site's directory (created if needed)
    node_modules,  # the node_modules directory holding the pinned @litertjs packages (npm ci)
    variants=VARIANTS,  # weight precisions offered by the page; its default is the first
    truncation_cutoff=None,  # the page's cutoff; None = the generator's own
):
    """Write the site; returns {relative path: bytes written}. Existing files are replaced (the caller checks
    its outputs first: keras_stylegan.output_paths)."""
    check_runtime(node_modules)
    written = export_litert(generator, output, variants, truncation_cutoff)
    copies = {name: os.path.join(PAGE_DIR, name) for name in PAGE_FILES}
    copies.update({name: os.path.join(node_modules, package, source)
                   for name, (package, source) in RUNTIME_FILES.items()})
    for name, source in copies.items():
        target = os.path.join(output, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with atomic_output(target) as partial:
            shutil.copyfile(source, partial)
        written[name] = os.path.getsize(target)
    notice = "".join(f"{package} {version}: LiteRT.js, Copyright Google LLC, Apache License 2.0 "
                     f"(https://www.apache.org/licenses/LICENSE-2.0); https://www.npmjs.com/package/{package}\n"
                     for package, version in LITERTJS.items())
    with atomic_output(os.path.join(output, NOTICE_FILE)) as partial:
        with open(partial, "w", encoding="utf-8") as file:
            file.write(notice)
    written[NOTICE_FILE] = len(notice)
    return written
