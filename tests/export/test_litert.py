"""The LiteRT export: built-in operators only, run by the ai-edge-litert interpreter, images against the SavedModel's.

Two networks with random weights (noise strengths 0.5 and a random w_avg, so that noise and truncation show):
the quickstart's architecture (32 px, z and w 64, widths 64 / 32) in CI, and a 128 px one at reduced widths
(128 channels up to 32 px, fused transposed up-sampling convolutions at 128 px) marked slow.

Bounds, from what was measured (32 and 16 seeds at psi 0.7 and 1, on a Xeon with AVX-512 under load 2.5):
- float32: the same arithmetic in another order (TFLite's FULLY_CONNECTED and XNNPACK's convolutions sum in
  other orders than TensorFlow's kernels): w within 3.1e-6 of the SavedModel's (bound 1e-5), images within
  1e-5 of it in [-1, 1] before the conversion to bytes. A difference e flips a byte only where the value lies
  within 127.5 e of a level's edge: at most one level, and for e = 1e-5 at most 2 x 127.5 x 1e-5 = 0.26% of
  the values; measured 0.013-0.043% (bound 0.26%).
- float16: every weight rounded to 11 significant bits (relative error up to 2^-11 = 4.9e-4), the arithmetic
  still float32: w within 0.0024 (32 px) / 0.0035 (128 px) of the SavedModel's (bound 0.006); images a mean
  0.12-0.13 level off at 32 px, at most 3-5 levels over three such networks (bounds 0.2 and 8), and a mean of
  0.19-0.23, at most 11 levels, at 128 px, where more layers add their roundings (bounds 0.35 and 16).
"""

import contextlib
import io
import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Generator
from keras_stylegan.errors import UserError
from keras_stylegan.export import export_saved_model
from keras_stylegan.export.litert import LiteRTGenerator, export_litert, float32_copy, model_file
from keras_stylegan.inference.latents import latents_for_seeds
from noisy import with_noise

pytest.importorskip("ai_edge_litert", reason="the LiteRT interpreter (pip install ai-edge-litert)")

QUICKSTART = ArchitectureConfig(resolution=32, latent_size=64, dlatent_size=64, mapping_layers=4, mapping_fmaps=64,
                                fmap_base=512, fmap_max=64)
LARGER = ArchitectureConfig(resolution=128, latent_size=128, dlatent_size=128, mapping_layers=8, mapping_fmaps=128,
                            fmap_base=2048, fmap_max=128)
FLOAT32_W, FLOAT32_FLIPPED = 1e-5, 0.0026
FLOAT16_W = 0.006
FLOAT16_IMAGES = {32: (0.2, 8), 128: (0.35, 16)}  # resolution -> (mean levels, max levels)


def exported(tmp_path_factory, config, seed):
    """{generator, saved_model (loaded), litert (directory)} of a random network with noise."""
    root = tmp_path_factory.mktemp(f"litert{config.resolution}")
    generator = with_noise(Generator(config), seed=seed)
    litert_dir = str(root / "litert")
    export_litert(generator, litert_dir)
    return {"generator": generator, "litert": litert_dir,
            "saved_model": tf.saved_model.load(export_saved_model(generator, str(root / "saved_model")))}


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    return exported(tmp_path_factory, QUICKSTART, seed=3)


def saved_model_images(made, z, psi):
    serve = made["saved_model"].signatures["serving_default"]
    return serve(z=tf.constant(z), truncation_psi=tf.constant(np.float32(psi)))["images"].numpy()


def check_against_saved_model(made, seeds, psis):
    """Every variant's w and images against the SavedModel's, within the module docstring's bounds."""
    z = latents_for_seeds(seeds, made["generator"].config.latent_size)
    mapping = made["saved_model"].signatures["mapping"]
    expected_w = mapping(z=tf.constant(z), truncation_psi=tf.constant(np.float32(1)))["w"].numpy()[:, 0]
    mean_bound, max_bound = FLOAT16_IMAGES[made["generator"].config.resolution]
    for variant in ("float32", "float16"):
        model = LiteRTGenerator(made["litert"], variant)
        w = np.concatenate([model.mapping(z[i:i + 1]) for i in range(len(z))])
        w_error = np.abs(w - expected_w).max()
        assert w_error <= (FLOAT32_W if variant == "float32" else FLOAT16_W), (variant, w_error)
        for psi in psis:
            difference = np.abs(model.images(z, psi).astype(int) - saved_model_images(made, z, psi).astype(int))
            if variant == "float32":
                assert difference.max() <= 1 and (difference > 0).mean() <= FLOAT32_FLIPPED, (
                    psi, difference.max(), (difference > 0).mean())
            else:
                assert difference.mean() <= mean_bound and difference.max() <= max_bound, (
                    psi, difference.mean(), difference.max())
                assert difference.max() > 0  # the float16 model is a different model: it cannot be byte-equal


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


def test_a_bfloat16_network_is_converted_with_float32_arithmetic_and_the_same_weights():
    generator = Generator(QUICKSTART, dtype="mixed_bfloat16")
    copy = float32_copy(generator)
    assert copy.dtype_policy.compute_dtype == "float32" and generator.dtype_policy.compute_dtype == "bfloat16"
    for ours, theirs in zip(copy.get_weights(), generator.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    assert float32_copy(copy) is copy


def test_unknown_weight_precisions_are_refused_naming_the_known_ones(quickstart, tmp_path):
    for variants in (["int4"], []):
        with pytest.raises(UserError, match="must be among float32, float16"):
            export_litert(quickstart["generator"], str(tmp_path / "x"), variants)
    assert not (tmp_path / "x").exists()
