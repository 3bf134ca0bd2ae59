"""The SavedModel export: TF Serving's layout and loaders, and the images of generate.py, byte for byte.

One tiny network (8 px, widths 16, the quickstart's 64-dimensional z so that the README's REST body fits
it) is exported with export.py and drawn with generate.py, both run as the user runs them.
"""

import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from tensorflow.core.protobuf.config_pb2 import CallableOptions

from keras_stylegan import ArchitectureConfig, Generator, load_generator
from keras_stylegan.errors import UserError
from keras_stylegan.export import SIGNATURES, export_saved_model
from noisy import with_noise
from reference import assert_same_image
from tf_serving_rest import decode_request, encode_response

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = ArchitectureConfig(resolution=8, latent_size=64, dlatent_size=16, mapping_layers=2, mapping_fmaps=16,
                            fmap_base=32, fmap_max=16)
SEEDS = [0, 1, 2, 85]
PSI = 0.7


def run_tool(*args, cwd=REPO):
    env = {**os.environ, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """{network, export (base dir), version (its 1/), pngs (generate.py's dir), export_stderr}."""
    root = tmp_path_factory.mktemp("export")
    G = with_noise(Generator(CONFIG), seed=3)
    G.save(root / "net.keras")
    made = {"network": str(root / "net.keras"), "export": str(root / "models" / "stylegan"), "pngs": str(root / "out")}
    exported = run_tool("export.py", f"--network={made['network']}", f"--output={made['export']}")
    assert exported.returncode == 0, exported.stderr
    generated = run_tool("generate.py", f"--network={made['network']}", "--seeds=0-2,85", f"--trunc={PSI}",
                         f"--outdir={made['pngs']}")
    assert generated.returncode == 0, generated.stderr
    alone = run_tool("generate.py", f"--network={made['network']}", "--seeds=85", f"--trunc={PSI}",
                     f"--outdir={root / 'out85'}")  # the README's REST body: seed 85 alone
    assert alone.returncode == 0, alone.stderr
    made["png85"] = str(root / "out85" / "seed0085.png")
    made["version"] = os.path.join(made["export"], "1")
    made["export_stderr"] = exported.stderr
    return made


def png(made, seed):
    return np.asarray(Image.open(os.path.join(made["pngs"], f"seed{seed:04d}.png")))


def nvidia_z(seeds):
    return np.concatenate([np.random.RandomState(seed).randn(1, CONFIG.latent_size) for seed in seeds]).astype(np.float32)


@pytest.fixture(scope="module")
def loaded(made):
    return tf.saved_model.load(made["version"])


def test_export_is_one_version_directory_and_nothing_else(made):
    assert os.listdir(made["export"]) == ["1"]  # no temporary directory left behind
    assert sorted(os.listdir(made["version"])) == ["assets", "assets.extra", "fingerprint.pb", "saved_model.pb",
                                                   "variables"]
    assert os.stat(made["version"]).st_mode & 0o055 == 0o055  # readable by a server running as another user


def test_export_prints_no_info_log_lines(made):
    # TensorFlow's SavedModel writer logs "I1203 05:31:20.000467 ... builder_impl.py:838] Assets written to"
    # through absl at INFO; the tools keep INFO out unless --verbosity is given.
    assert not re.search(r"^I\d{4} ", made["export_stderr"], re.MULTILINE), made["export_stderr"]


def test_each_weight_is_stored_once(made):
    # The values in the export's checkpoint, counted against the network's parameters: a weight stored twice
    # (the keras.Variable wrapper beside its tf.Variable) would double them.
    stored = sum(int(np.prod(shape)) for name, shape in tf.train.list_variables(
        os.path.join(made["version"], "variables", "variables")) if name != "_CHECKPOINTABLE_OBJECT_GRAPH")
    parameters = sum(int(np.prod(v.shape)) for v in load_generator(made["network"]).weights)
    assert 0.5 * parameters < stored <= parameters


def test_saved_model_cli_lists_the_signatures_with_dtypes_and_shapes(made):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    shown = subprocess.run([cli, "show", "--all", "--dir", made["version"]], capture_output=True, text=True,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, timeout=300)
    assert shown.returncode == 0, shown.stderr
    signatures = {}
    for block in re.split(r"\nsignature_def\['", shown.stdout)[1:]:
        name, body = block.split("']", 1)
        signatures[name] = {
            (kind, tensor): (dtype, shape)
            for kind, tensor, dtype, shape in re.findall(r"(inputs|outputs)\['(\w+)'\] tensor_info:\s+dtype: (\w+)"
                                                         r"\s+shape: ([^\n]+)", body)}
    z, psi = ("DT_FLOAT", "(-1, 64)"), ("DT_FLOAT", "unknown_rank")
    images, w, seed = ("DT_UINT8", "(-1, 8, 8, 3)"), ("DT_FLOAT", "(-1, 4, 16)"), ("DT_INT64", "(-1)")
    assert signatures["serving_default"] == {("inputs", "z"): z, ("inputs", "truncation_psi"): psi,
                                             ("outputs", "images"): images}
    assert signatures["mapping"] == {("inputs", "z"): z, ("inputs", "truncation_psi"): psi, ("outputs", "w"): w}
    assert signatures["synthesis"] == {("inputs", "w"): w, ("outputs", "images"): images}
    assert signatures["random_noise"] == {**signatures["serving_default"], ("inputs", "noise_seed"): seed}
    assert signatures["synthesis_random_noise"] == {**signatures["synthesis"], ("inputs", "noise_seed"): seed}
    assert set(SIGNATURES) <= set(signatures)


def test_tf1_session_loader_runs_every_signature(made):
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], made["version"])

        def run(name, output, **inputs):
            signature = meta_graph.signature_def[name]
            feed = {signature.inputs[key].name: value for key, value in inputs.items()}
            return session.run(signature.outputs[output].name, feed)

        images = run("serving_default", "images", z=nvidia_z(SEEDS), truncation_psi=PSI)
        for seed, image in zip(SEEDS, images):
            np.testing.assert_array_equal(image, png(made, seed))
        ws = run("mapping", "w", z=nvidia_z(SEEDS), truncation_psi=PSI)
        assert_same_image(run("synthesis", "images", w=ws), images)
        noisy = run("synthesis_random_noise", "images", w=ws, noise_seed=[5, 6, 7, 8])
        assert_same_image(noisy, run("random_noise", "images", z=nvidia_z(SEEDS), truncation_psi=[PSI] * 4,
                                     noise_seed=[5, 6, 7, 8]))
        assert not np.array_equal(noisy, images)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be in \[-1, 2\]"):
            run("serving_default", "images", z=nvidia_z([0]), truncation_psi=2.5)


def test_a_server_feeding_a_z_of_the_wrong_width_gets_the_expected_shape(made):
    """TF Serving feeds tensors in C++, past Python's placeholder shape checks: a session callable does too."""
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        signature = tf.compat.v1.saved_model.loader.load(session, ["serve"], made["version"]).signature_def[
            "serving_default"]
        options = CallableOptions(feed=[signature.inputs["z"].name, signature.inputs["truncation_psi"].name],
                                               fetch=[signature.outputs["images"].name])
        call = session._make_callable_from_options(options)
        assert call(nvidia_z([85]), np.float32(PSI))[0].shape == (1, 8, 8, 3)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"z must be float32 \[N, 64\]"):
            call(np.zeros([1, 63], np.float32), np.float32(PSI))


def test_saved_model_cli_run_takes_the_tf1_path_and_gives_the_images(made, tmp_path):
    np.save(tmp_path / "z.npy", nvidia_z(SEEDS))  # generate.py drew them in one batch: the same shapes
    np.save(tmp_path / "psi.npy", np.float32(PSI))
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    ran = subprocess.run([cli, "run", "--dir", made["version"], "--tag_set", "serve", "--signature_def",
                          "serving_default", "--inputs", f"z={tmp_path / 'z.npy'};truncation_psi={tmp_path / 'psi.npy'}",
                          "--outdir", str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert ran.returncode == 0, ran.stderr
    for seed, image in zip(SEEDS, np.load(tmp_path / "out" / "images.npy")):
        np.testing.assert_array_equal(image, png(made, seed))


FRESH = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf
    from PIL import Image

    model = tf.saved_model.load(sys.argv[1])
    seeds = (0, 1, 2, 85)  # one batch, as generate.py drew them
    z = np.concatenate([np.random.RandomState(seed).randn(1, 64) for seed in seeds]).astype(np.float32)
    images = model.signatures["serving_default"](z=tf.constant(z), truncation_psi=tf.constant(0.7))["images"]
    for seed, image in zip(seeds, images.numpy()):
        Image.fromarray(image).save(f"seed{seed:04d}.png", format="PNG")
    ours = sorted(name for name in sys.modules if name.split(".")[0] in ("keras_stylegan", "pipelines"))
    print("imported:", ours)
""")


def test_a_fresh_process_without_this_project_reproduces_generate_py_byte_for_byte(made, tmp_path):
    (tmp_path / "fresh.py").write_text(FRESH)
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    ran = subprocess.run([sys.executable, "fresh.py", made["version"]], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr
    assert "imported: []" in ran.stdout
    for seed in SEEDS:
        name = f"seed{seed:04d}.png"
        assert (tmp_path / name).read_bytes() == open(os.path.join(made["pngs"], name), "rb").read(), name


def readme_section(title):
    text = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    start = text.index(f"\n## {title}\n")
    return text[start:text.index("\n## ", start + 1)]


def test_the_readmes_rest_body_runs_through_the_signature_and_gives_generate_pys_image(made, loaded):
    body = json.loads(re.search(r"```json\n(.*?)```", readme_section("Serving with TF Serving"), re.S).group(1))
    signature = loaded.signatures[body["signature_name"]]
    inputs = decode_request(body, signature)
    assert inputs["z"].shape == (1, 64) and inputs["truncation_psi"].shape == (1,)
    np.testing.assert_array_equal(inputs["z"], nvidia_z([85]))  # seed 85's z, exactly
    reply = json.loads(json.dumps(encode_response(
        {k: v.numpy() for k, v in signature(**{k: tf.constant(v) for k, v in inputs.items()}).items()}, row_format=True)))
    np.testing.assert_array_equal(np.asarray(reply["predictions"], np.uint8)[0], np.asarray(Image.open(made["png85"])))
    columnar = {"signature_name": "serving_default", "inputs": {"z": nvidia_z(SEEDS).tolist(), "truncation_psi": PSI}}
    inputs = decode_request(json.loads(json.dumps(columnar)), signature)
    reply = encode_response({k: v.numpy() for k, v in signature(**{k: tf.constant(v) for k, v in inputs.items()}).items()},
                            row_format=False)
    for seed, image in zip(SEEDS, np.asarray(reply["outputs"], np.uint8)):
        np.testing.assert_array_equal(image, png(made, seed))


def test_the_readmes_grpc_sketch_builds_a_predict_request_that_maps_onto_the_signature(made, loaded, monkeypatch):
    """The README's gRPC client runs as written; the stub hands the serialized request to the signature as
    the model server does (tensors by input name) and answers with TensorProtos."""
    import grpc
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    requests = []

    class Stub:
        def __init__(self, channel):
            assert channel == "channel to localhost:8500"

        def Predict(self, request, timeout):
            request = predict_pb2.PredictRequest.FromString(request.SerializeToString())
            requests.append(request)
            signature = loaded.signatures[request.model_spec.signature_name]
            specs = signature.structured_input_signature[1]
            assert set(request.inputs) == set(specs)
            inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
            assert all(inputs[name].dtype == spec.dtype.as_numpy_dtype for name, spec in specs.items())
            response = predict_pb2.PredictResponse()
            for name, value in signature(**{k: tf.constant(v) for k, v in inputs.items()}).items():
                response.outputs[name].CopyFrom(tf.make_tensor_proto(value.numpy()))
            return response

    monkeypatch.setattr(grpc, "insecure_channel", lambda address: f"channel to {address}")
    monkeypatch.setattr(prediction_service_pb2_grpc, "PredictionServiceStub", Stub)
    sketch = re.search(r"```python\n(import grpc.*?)```", readme_section("Serving with TF Serving"), re.S).group(1)
    namespace = {}
    exec(sketch, namespace)
    assert requests[0].model_spec.name == "stylegan"
    assert namespace["images"].shape == (4, 8, 8, 3)
    for seed, image in zip(SEEDS, namespace["images"]):
        np.testing.assert_array_equal(image, png(made, seed))


def test_bad_inputs_to_the_loaded_signatures_name_what_is_expected(loaded):
    serve = loaded.signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"z must be float32 \[N, 64\]"):
        serve(z=tf.zeros([1, 63]), truncation_psi=tf.constant(0.5))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected to be a float tensor but is a int32 tensor"):
        serve(z=tf.zeros([1, 64], tf.int32), truncation_psi=tf.constant(0.5))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be in \[-1, 2\]"):
        serve(z=tf.zeros([2, 64]), truncation_psi=tf.constant([0.5, -1.5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation_psi must be a scalar or one value per z"):
        serve(z=tf.zeros([2, 64]), truncation_psi=tf.constant([0.5, 0.5, 0.5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"noise_seed must be int64 \[N\], one seed per image"):
        loaded.signatures["random_noise"](z=tf.zeros([2, 64]), truncation_psi=tf.constant(0.5),
                                          noise_seed=tf.constant([1], tf.int64))


def test_load_generator_takes_an_export_back_and_refuses_other_savedmodels(made, tmp_path):
    for source in (made["export"], made["version"]):
        G = load_generator(source)
        np.testing.assert_array_equal(G.map(nvidia_z([85])), load_generator(made["network"]).map(nvidia_z([85])))
    foreign = tmp_path / "foreign"
    tf.saved_model.save(tf.Module(), str(foreign))
    with pytest.raises(UserError, match=r"holds no assets.extra/network.keras: only SavedModels written by export.py"):
        load_generator(str(foreign))


def test_an_existing_version_or_a_bad_one_is_refused_before_writing(made):
    G = load_generator(made["network"])
    with pytest.raises(UserError, match=r"stylegan/1 exists; give --overwrite to replace it, or choose another "
                                        r"version \(e.g. 2\)"):
        export_saved_model(G, made["export"], version=1)
    for version in (0, "2", True, 2**63):
        with pytest.raises(UserError, match=r"version must be an integer from 1 to 9223372036854775807"):
            export_saved_model(G, made["export"], version=version)
    assert os.listdir(made["export"]) == ["1"]
    refused = run_tool("export.py", f"--network={made['network']}", f"--output={made['export']}")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (  # the suite's TF_CPP_MIN_LOG_LEVEL=2 lets cuInit through
        f"export.py: error: --output: {made['export']}/1 exists; give --overwrite to replace it, or choose another "
        "--version (e.g. 2).")


def test_overwrite_replaces_a_previous_export_but_never_another_directory(made, tmp_path):
    G = load_generator(made["network"])
    base = tmp_path / "models"
    first = export_saved_model(G, str(base), version=3)
    marker = os.path.join(first, "left-by-the-first-export")
    open(marker, "w").close()
    assert export_saved_model(G, str(base), version=3, overwrite=True) == first
    assert not os.path.exists(marker) and os.path.isfile(os.path.join(first, "saved_model.pb"))
    assert sorted(os.listdir(base)) == ["3"]  # no partial or old directory left behind
    mine = base / "4"
    mine.mkdir()
    (mine / "notes.txt").write_text("not an export")
    with pytest.raises(UserError, match=r"stylegan|4 is a directory but not a SavedModel \(it has no saved_model.pb\)"):
        export_saved_model(G, str(base), version=4, overwrite=True)
    assert (mine / "notes.txt").read_text() == "not an export"
