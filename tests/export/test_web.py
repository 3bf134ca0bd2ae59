"""The web export: numpy's RandomState in JavaScript, and the page in headless Chromium against the Python generator.

A network of the quickstart's architecture (32 px, random weights with noise) is exported with
``export.py --format=web`` as a user runs it; the folder is served by a static server on loopback and the page
is driven as a person drives it (a seed typed, the truncation slider moved, a band and a second seed picked).
Its canvas, read back byte for byte, is compared with the images the Python generator draws for the same seed
(Sampler: the graph generate.py and the SavedModel run).

Bounds: the page runs the float32 .tflite with LiteRT.js's WebAssembly XNNPACK kernels, float32 arithmetic in
another order than TensorFlow's, as the ai-edge-litert interpreter does (tests/export/test_litert.py): at most one
level, and at most 0.26% of the values (8 of 3072), the fraction a float32 difference of 1e-5 can flip. With the
float16 weights: a mean of at most 0.2 level and at most 8 levels, test_litert.py's float16 bounds at this size
(benchmarks/litert_web.py measured the page's images of 16 seeds as the interpreter's: a mean of 0.12 level, at
most 5 levels, from the SavedModel's).

Without Chromium, Playwright, Node.js or LiteRT.js (``npm ci``) the browser tests skip, except where
``KERAS_STYLEGAN_REQUIRE_BROWSER=1`` (CI's .ci/run sets it): there they fail.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.litert_bounds import NETWORKS, random_network
from keras_stylegan import ArchitectureConfig
from keras_stylegan.inference.latents import latents_for_seeds
from keras_stylegan.inference.sampler import Sampler
from keras_stylegan.networks.style_mixing import layers_of_band, mix_layers
from train_runs import REPO, tool_env

RANDOM_STATE_JS = os.path.join(REPO, "keras_stylegan", "export", "web_page", "random_state.js")
NODE_MODULES = os.path.join(REPO, "node_modules")
QUICKSTART = ArchitectureConfig(**NETWORKS["quickstart"][0])
FLOAT32_FLIPPED = 0.0026
FLOAT16_MEAN, FLOAT16_MAX = 0.2, 8
REQUIRED = os.environ.get("KERAS_STYLEGAN_REQUIRE_BROWSER") == "1"


def require(available, what):
    """Skip without ``what``, or fail where the browser tests are required."""
    if not available:
        if REQUIRED:
            pytest.fail(f"{what} is missing, and KERAS_STYLEGAN_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(f"{what} is missing")


def node():
    require(shutil.which("node"), "Node.js (node)")
    return shutil.which("node")


def test_random_state_js_draws_numpys_randn_for_many_seeds(tmp_path):
    seeds = list(range(1000)) + [2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1, 123456789, 3141592653]
    script = tmp_path / "draw.mjs"
    script.write_text(f"import {{RandomState}} from {json.dumps('file://' + RANDOM_STATE_JS)};\n"
                      "const seeds = JSON.parse(process.argv[2]);\n"
                      "process.stdout.write(JSON.stringify(seeds.map((s) => Array.from(new RandomState(s).randn(512)))));\n")
    drawn = subprocess.run([node(), str(script), json.dumps(seeds)], capture_output=True, text=True, check=True,
                           timeout=120)
    ours = np.asarray(json.loads(drawn.stdout), np.float64)
    numpy = np.stack([np.random.RandomState(seed).randn(512) for seed in seeds])
    # As float32 (the models' z, generate.py's latents) every value is numpy's; as float64 V8's Math.log may
    # round the last bit another way than the C library's log: measured at most 2 units in the last place.
    np.testing.assert_array_equal(ours.astype(np.float32), numpy.astype(np.float32))
    np.testing.assert_array_equal(ours.astype(np.float32), latents_for_seeds(seeds, 512))
    assert (np.abs(ours - numpy) <= 4 * np.spacing(np.abs(numpy))).all()
    assert (ours == numpy).mean() > 0.9


def test_random_state_js_refuses_seeds_numpy_refuses(tmp_path):
    script = tmp_path / "bad.mjs"
    script.write_text(f"import {{RandomState}} from {json.dumps('file://' + RANDOM_STATE_JS)};\n"
                      "for (const s of [-1, 2 ** 32, 1.5]) { try { new RandomState(s); console.log('accepted', s); }"
                      " catch (e) { console.log(e.name); } }\n")
    out = subprocess.run([node(), str(script)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.split() == ["RangeError"] * 3


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """{generator, directory, stdout} of export.py --format=web on a quickstart-sized network (weight seed 7),
    run as a user runs it: nothing on stderr (TensorFlow's and TensorFlow Lite's own lines held back)."""
    require(os.path.isfile(os.path.join(NODE_MODULES, "@litertjs", "core", "package.json")),
            "LiteRT.js (npm ci in the repository)")
    root = tmp_path_factory.mktemp("web")
    generator = random_network(QUICKSTART, 7)
    generator.save(root / "net.keras")
    directory = root / "site"
    made = subprocess.run([sys.executable, "export.py", f"--network={root / 'net.keras'}", "--format=web",
                           f"--output={directory}"], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=tool_env(quiet_default=True))
    assert made.returncode == 0 and made.stderr == "", made.stderr
    return {"generator": generator, "directory": directory, "stdout": made.stdout}


def test_export_py_writes_a_self_contained_site_and_says_how_to_open_it(site):
    files = sorted(os.path.relpath(os.path.join(d, f), site["directory"])
                   for d, _, names in os.walk(site["directory"]) for f in names)
    assert files == sorted([
        "index.html", "stylegan.js", "random_state.js", "style.css", "stylegan.json", "stylegan-float32.tflite",
        "stylegan-float16.tflite", "litertjs/NOTICE.txt", "litertjs/core.js", "litertjs/wasm-utils.js",
        "litertjs/wasm/litert_wasm_internal.js", "litertjs/wasm/litert_wasm_internal.wasm",
        "litertjs/wasm/litert_wasm_compat_internal.js", "litertjs/wasm/litert_wasm_compat_internal.wasm"])
    page = (site["directory"] / "index.html").read_text() + (site["directory"] / "stylegan.js").read_text()
    assert not re.search(r"""(src|href|import[^"']*)=?\s*["']https?://""", page)  # nothing from the internet
    assert "python -m http.server 8000" in site["stdout"] and "http://localhost:8000/" in site["stdout"]
    assert re.search(r"float32 vs generate.py's: at most [01] level", site["stdout"]), site["stdout"]


@pytest.fixture(scope="module")
def page(site):
    require(shutil.which("node"), "Node.js (node)")
    try:
        from benchmarks.browser import chromium, chromium_path, static_server
    except ImportError:
        require(False, "Playwright (pip install playwright)")
    require(chromium_path(), "Chromium (apt-get install chromium)")
    with static_server(site["directory"]) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        yield page
        assert not errors, errors


def python_image(generator, seed, psi, band="none", seed_b=None):
    """uint8 [R, R, 3]: the Python generator's image (generate.py's graph, const noise) of a page's view."""
    sampler = Sampler(generator)
    z = latents_for_seeds([seed] if band == "none" else [seed, seed_b], generator.config.latent_size)
    ws = sampler.mapping(z, np.float32(psi))["w"]
    if band != "none":
        ws = mix_layers(ws[:1], ws[1:], layers_of_band(band, generator.num_layers))
    return sampler.synthesis(ws[:1])["images"].numpy()[0]


def check_view(page, generator, weights="float32", **view):
    from benchmarks.browser import canvas_pixels, view_key, wait_rendered

    wait_rendered(page, view_key(weights=weights, **view))
    difference = np.abs(canvas_pixels(page).astype(int) - python_image(generator, **view).astype(int))
    if weights == "float32":
        assert difference.max() <= 1 and (difference > 0).mean() <= FLOAT32_FLIPPED, (
            view, difference.max(), (difference > 0).mean())
    else:
        assert difference.mean() <= FLOAT16_MEAN and difference.max() <= FLOAT16_MAX, (
            view, difference.mean(), difference.max())
    return difference


def test_the_page_draws_the_python_generators_image_for_a_seed_and_truncation(page, site):
    from benchmarks.browser import set_view

    set_view(page, seed=85, psi=0.5)
    check_view(page, site["generator"], seed=85, psi=0.5)
    assert page.text_content("#caption") == "seed 85, \u03c8 0.50"
    assert "seed=85" in page.url and "psi=0.5" in page.url  # the view is in the address, to share or reload


def test_the_page_mixes_the_coarse_styles_of_a_second_seed_as_python_does(page, site):
    from benchmarks.browser import set_view

    set_view(page, band="coarse", seed_b=3)
    check_view(page, site["generator"], seed=85, psi=0.5, band="coarse", seed_b=3)
    assert page.is_visible("#image-b") and page.is_disabled("input[name=band][value=fine]")  # 32 px: no fine band


def test_the_page_with_float16_weights_stays_within_the_float16_bounds(page, site):
    from benchmarks.browser import set_view

    set_view(page, band="none", weights="float16")
    difference = check_view(page, site["generator"], weights="float16", seed=85, psi=0.5)
    assert difference.max() > 0  # it did switch to the other model
