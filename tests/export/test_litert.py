"""The LiteRT export: built-in operators only, run by the ai-edge-litert interpreter, images against the SavedModel's.

Two networks with random weights drawn from a fixed weight seed (noise strengths 0.5 and a random w_avg, so that
noise and truncation show; benchmarks/litert_bounds.py's random_network): the quickstart's architecture (32 px,
z and w 64, widths 64 / 32; weight seed 3) in CI, and a 128 px one at reduced widths (128 channels up to 32 px,
fused transposed up-sampling convolutions at 128 px; weight seed 4) marked slow.

Bounds: 1.5 times the worst of what ``python -m benchmarks.litert_bounds`` measured over weight seeds 0-7 of each
network (32 and 16 latent seeds at psi 0.7 and 1; 4 December 2026, 2 cores of an Intel Xeon with AVX-512 and
AMX-BF16, 1-minute load 1.9-4.4), rounded up. The margin is for another CPU's float32 rounding order, not for
other weights: the weights are fixed (unseeded draws once gave a 128 px network beyond the bounds of the time).
- float32: the same arithmetic in another order (TFLite's FULLY_CONNECTED and XNNPACK's convolutions sum in
  other orders than TensorFlow's kernels): w within 1.2-4.6e-6 of the SavedModel's (bound 1e-5), images within
  about 1e-5 of it in [-1, 1] before the conversion to bytes. A difference e flips a byte only where the value
  lies within 127.5 e of a level's edge: at most one level, and for e = 1e-5 at most 2 x 127.5 x 1e-5 = 0.26% of
  the values (the bound); measured at most one level on 0.005-0.033% of the values.
- float16: every weight rounded to 11 significant bits (relative error up to 2^-11 = 4.9e-4), the arithmetic
  still float32: w within 0.0021-0.0034 (32 px) / 0.0029-0.0050 (128 px) of the SavedModel's (bound 0.0075);
  images a mean 0.095-0.128 level off at 32 px and at most 2-5 levels (bounds 0.2 and 8), and at 128 px, where
  more layers add their roundings, a mean of 0.166-0.255 and at most 6-16 levels (bounds 0.4 and 24).
"""

import contextlib
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.litert_bounds import NETWORKS, differences, random_network
from keras_stylegan import ArchitectureConfig
from keras_stylegan.errors import UserError
from keras_stylegan.export import export_saved_model
from keras_stylegan.export.litert import LiteRTGenerator, export_litert, model_file
from train_runs import REPO, tool_env

pytest.importorskip("ai_edge_litert", reason="the LiteRT interpreter (pip install ai-edge-litert)")

QUICKSTART = ArchitectureConfig(**NETWORKS["quickstart"][0])
LARGER = ArchitectureConfig(**NETWORKS["128px"][0])
FLOAT32_W, FLOAT32_FLIPPED = 1e-5, 0.0026
FLOAT16_W = 0.0075
FLOAT16_IMAGES = {32: (0.2, 8), 128: (0.4, 24)}  # resolution -> (mean levels, max levels)


def exported(tmp_path_factory, config, seed):
    """{generator, saved_model (loaded), litert (directory)} of the random network with noise of weight seed
    ``seed`` (benchmarks/litert_bounds.py draws the same networks)."""
    root = tmp_path_factory.mktemp(f"litert{config.resolution}")
    generator = random_network(config, seed)
    litert_dir = str(root / "litert")
    export_litert(generator, litert_dir)
    return {"generator": generator, "litert": litert_dir,
            "saved_model": tf.saved_model.load(export_saved_model(generator, str(root / "saved_model")))}


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    return exported(tmp_path_factory, QUICKSTART, seed=3)


def check_against_saved_model(made, seeds, psis):
    """Every variant's w and images against the SavedModel's, within the module docstring's bounds."""
    found = differences(made["generator"], made["saved_model"], made["litert"], seeds, psis)
    mean_bound, max_bound = FLOAT16_IMAGES[made["generator"].config.resolution]
    assert found["float32"]["w"] <= FLOAT32_W and found["float16"]["w"] <= FLOAT16_W, found
    for psi in psis:
        float32, float16 = found["float32"]["images"][psi], found["float16"]["images"][psi]
        assert float32["max"] <= 1 and float32["fraction"] <= FLOAT32_FLIPPED, (psi, float32)
        assert float16["mean"] <= mean_bound and float16["max"] <= max_bound, (psi, float16)
        assert float16["max"] > 0  # the float16 model is a different model: it cannot be byte-equal


def test_quickstart_network_images_match_the_saved_model_within_bounds(quickstart):
    check_against_saved_model(quickstart, list(range(32)), psis=(0.7, 1.0))


@pytest.mark.slow
def test_larger_network_images_match_the_saved_model_within_bounds(tmp_path_factory):
    check_against_saved_model(exported(tmp_path_factory, LARGER, seed=4), list(range(16)), psis=(0.7, 1.0))


def operators(path):
    """The operator names of every subgraph of a .tflite file, as TensorFlow's analyzer lists them."""
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        tf.lite.experimental.Analyzer.analyze(model_path=path)
    return set(re.findall(r"Op#\d+ (\w+)\(", report.getvalue()))


def test_models_hold_two_signatures_of_built_in_operators_with_frozen_weights(quickstart):
    config = quickstart["generator"].config
    for variant in ("float32", "float16"):
        path = os.path.join(quickstart["litert"], model_file(variant))
        ops = operators(path)
        assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "RSQRT", "FLOOR", "CAST"} <= ops
        # Flex (select TensorFlow) operators would need the Flex delegate; VAR_HANDLE / READ_VARIABLE would mean
        # weights left as variables, which a runtime leaves uninitialised.
        assert not {op for op in ops if op.startswith("FLEX") or op in ("CUSTOM", "VAR_HANDLE", "READ_VARIABLE")}
        interpreter = LiteRTGenerator(quickstart["litert"], variant).interpreter
        assert interpreter.get_signature_list() == {"mapping": {"inputs": ["z"], "outputs": ["w"]},
                                                    "synthesis": {"inputs": ["ws"], "outputs": ["images"]}}
        shapes = {(name, tuple(detail["shape"]), detail["dtype"])
                  for signature in ("mapping", "synthesis")
                  for name, detail in {**interpreter.get_signature_runner(signature).get_input_details(),
                                       **interpreter.get_signature_runner(signature).get_output_details()}.items()}
        assert shapes == {("z", (1, 64), np.float32), ("w", (1, 64), np.float32),
                          ("ws", (1, config.num_layers, 64), np.float32), ("images", (1, 32, 32, 3), np.uint8)}
    assert "DEQUANTIZE" in operators(os.path.join(quickstart["litert"], model_file("float16")))


def test_model_sizes_are_the_weights_once_and_noise_images_not_folded_into_feature_maps(quickstart):
    generator = quickstart["generator"]
    # What a model must hold: mapping and synthesis weights and one H x W noise image per styled layer (the
    # const noise times its strengths kept as a 1x1 convolution, not folded into H x W x C constants).
    values = sum(int(np.prod(v.shape)) for v in generator.weights if "w_avg" not in v.path)
    float32 = os.path.getsize(os.path.join(quickstart["litert"], model_file("float32")))
    float16 = os.path.getsize(os.path.join(quickstart["litert"], model_file("float16")))
    assert 4 * values * 0.95 < float32 < 4 * values * 1.1, (float32, values)
    assert 2 * values * 0.95 < float16 < 2 * values * 1.15, (float16, values)


def test_metadata_carries_what_truncation_and_mixing_need(quickstart):
    with open(os.path.join(quickstart["litert"], "stylegan.json"), encoding="utf-8") as file:
        info = json.load(file)
    generator = quickstart["generator"]
    np.testing.assert_array_equal(np.asarray(info["w_avg"], np.float32), generator.w_avg.numpy())
    assert info["bands"] == {"coarse": [0, 1, 2, 3], "middle": [4, 5, 6, 7], "fine": []}  # 32 px: 8 layers
    assert (info["resolution"], info["num_layers"], info["truncation_psi"], info["truncation_cutoff"]) == (32, 8, 0.7, 8)
    assert info["models"] == {"float32": "stylegan-float32.tflite", "float16": "stylegan-float16.tflite"}


def test_unknown_weight_precisions_are_refused_naming_the_known_ones(quickstart, tmp_path):
    for variants in (["int4"], []):
        with pytest.raises(UserError, match="must be among float32, float16"):
            export_litert(quickstart["generator"], str(tmp_path / "x"), variants)
    assert not (tmp_path / "x").exists()


def test_the_runtimes_info_line_is_held_back_in_a_tool_and_shown_with_verbose(quickstart):
    """TensorFlow Lite prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." when a process first runs
    a model, whatever TensorFlow's log level: a command line (it imports tool_flags) holds it back unless
    --verbose is given (keras_stylegan/startup.py), as it holds back TensorFlow's start-up lines."""
    script = ("import tool_flags\n"
              "from keras_stylegan.export.litert import LiteRTGenerator\n"
              "from keras_stylegan.inference.latents import latents_for_seeds\n"
              f"print(LiteRTGenerator({quickstart['litert']!r}).images(latents_for_seeds([0], 64), 0.7).shape)\n")
    quiet, verbose = (subprocess.run([sys.executable, "-c", script, *extra], cwd=REPO, env=tool_env(quiet_default=True),
                                     capture_output=True, text=True, timeout=300) for extra in ([], ["--verbose"]))
    assert quiet.returncode == 0 and quiet.stdout == "(1, 32, 32, 3)\n" and quiet.stderr == "", quiet.stderr
    assert verbose.returncode == 0 and verbose.stdout == quiet.stdout
    assert "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." in verbose.stderr.splitlines(), verbose.stderr
