"""How far the LiteRT models' w and images are from the SavedModel's, over several draws of the weights: the
figures tests/export/test_litert.py and test_web.py set their bounds from.

Each network is drawn from a weight seed (Keras' initializers seeded by ``keras.utils.set_random_seed``), with
every noise strength 0.5 and w_avg drawn from the same seed (scale 0.3) so that noise and truncation show, as
the tests' networks are (tests/noisy.py). It is exported as a SavedModel and as LiteRT (float32 and float16
weights), and for fixed latents (const noise) the interpreter's w and images are compared with the
SavedModel's: w at psi 1 (the largest absolute difference), images in uint8 levels at each psi (the largest
and mean difference and the fraction of values that differ).

    python -m benchmarks.litert_bounds                                 # quickstart and 128px, weight seeds 0-7
    python -m benchmarks.litert_bounds --networks=128px --weight_seeds=0-15
Needs ai-edge-litert. Prints JSON: the machine, the load average, every seed's figures and the worst of each.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

from benchmarks.train_throughput import machine

NETWORKS = {  # name -> (ArchitectureConfig arguments, latent seeds compared); the tests' two networks
    "quickstart": (dict(resolution=32, latent_size=64, dlatent_size=64, mapping_layers=4, mapping_fmaps=64,
                        fmap_base=512, fmap_max=64), 32),
    "128px": (dict(resolution=128, latent_size=128, dlatent_size=128, mapping_layers=8, mapping_fmaps=128,
                   fmap_base=2048, fmap_max=128), 16),
}
PSIS = (0.7, 1.0)


def random_network(config, weight_seed, strength=0.5):
    """A Generator of ``config`` (an ArchitectureConfig) whose weights are drawn from ``weight_seed``, with every
    noise strength ``strength`` and a w_avg of scale 0.3 drawn from the same seed (tests/noisy.py's with_noise,
    the tests' networks). TensorFlow's global seed is left as it was found unset (op seeds combine with it)."""
    import keras
    import tensorflow as tf

    from keras_stylegan import Generator
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
    from noisy import with_noise

    keras.utils.set_random_seed(weight_seed)
    try:
        generator = Generator(config)
    finally:
        tf.random.set_seed(None)
    return with_noise(generator, strength, seed=weight_seed)


def level_differences(images, expected):
    """{max, mean, fraction}: uint8 ``images`` against ``expected`` in levels."""
    difference = np.abs(np.asarray(images).astype(int) - np.asarray(expected).astype(int))
    return {"max": int(difference.max()), "mean": float(difference.mean()), "fraction": float((difference > 0).mean())}


def differences(generator, saved_model, litert_dir, seeds, psis=PSIS):
    """{variant: {"w": largest |w - w_SavedModel|, "images": {psi: level_differences}}} of the LiteRT models in
    ``litert_dir`` against the loaded ``saved_model`` for the latents of ``seeds``."""
    import tensorflow as tf

    from keras_stylegan.export.litert import VARIANTS, LiteRTGenerator
    from keras_stylegan.inference.latents import latents_for_seeds

    z = latents_for_seeds(seeds, generator.config.latent_size)
    mapping, serve = saved_model.signatures["mapping"], saved_model.signatures["serving_default"]
    expected_w = mapping(z=tf.constant(z), truncation_psi=tf.constant(np.float32(1)))["w"].numpy()[:, 0]
    expected = {psi: serve(z=tf.constant(z), truncation_psi=tf.constant(np.float32(psi)))["images"].numpy()
                for psi in psis}
    found = {}
    for variant in VARIANTS:
        model = LiteRTGenerator(litert_dir, variant)
        w = np.concatenate([model.mapping(z[i:i + 1]) for i in range(len(z))])
        found[variant] = {"w": float(np.abs(w - expected_w).max()),
                          "images": {psi: level_differences(model.images(z, psi), expected[psi]) for psi in psis}}
    return found


def measure(name, weight_seed):
    import tensorflow as tf

    from keras_stylegan import ArchitectureConfig
    from keras_stylegan.export import export_saved_model
    from keras_stylegan.export.litert import export_litert

    config, latent_seeds = NETWORKS[name]
    generator = random_network(ArchitectureConfig(**config), weight_seed)
    with tempfile.TemporaryDirectory() as root:
        export_litert(generator, os.path.join(root, "litert"))
        saved_model = tf.saved_model.load(export_saved_model(generator, os.path.join(root, "saved_model")))
        found = differences(generator, saved_model, os.path.join(root, "litert"), list(range(latent_seeds)))
    return {"network": name, "weight_seed": weight_seed, "latent_seeds": latent_seeds, **found,
            "load_average_1min": round(os.getloadavg()[0], 2)}


def worst(results):
    """The largest of each figure over the weight seeds, per network and variant."""
    summary = {}
    for result in results:
        for variant in ("float32", "float16"):
            entry = summary.setdefault(result["network"], {}).setdefault(variant, {})
            entry["w"] = max(entry.get("w", 0.0), result[variant]["w"])
            for figures in result[variant]["images"].values():
                for key, value in figures.items():
                    entry[key] = max(entry.get(key, 0), value)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--weight_seeds", default="0-7", help="inclusive range A-B of weight seeds")
    args = parser.parse_args()
    first, _, last = args.weight_seeds.partition("-")
    results = []
    for name in args.networks.split(","):
        for seed in range(int(first), int(last or first) + 1):
            results.append(measure(name, seed))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"machine": machine(), "worst": worst(results), "results": results}, indent=2))


if __name__ == "__main__":
    main()
