"""Model sizes, per-image latency and image differences of each export format: SavedModel, LiteRT (float32 and
float16 weights) in the ai-edge-litert interpreter, and the web page (LiteRT.js, WebAssembly) in headless Chromium.

For each network (random weights, noise strengths 0.5 and a random w_avg so that noise and truncation show):

- ``quickstart``: the quickstart's architecture (32 px, z / w 64, widths 64 down to 32);
- ``128px`` / ``256px``: 128 channels up to 32 px, halving above (fused transposed up-sampling at 128 px and up).

Latency is per image, batch 1, const noise, psi 0.7: the median of ``--repeats`` calls after a warm-up; the
SavedModel's ``serving_default``, the interpreter's mapping + truncation + synthesis (LiteRTGenerator.images), and
in the page the time it reports for one view (mapping, truncation, synthesis, drawing) while stepping through
seeds. Differences are in uint8 levels against the SavedModel's images of the same seeds.

    python -m benchmarks.litert_web                               # all three networks
    python -m benchmarks.litert_web --networks=quickstart --seeds=8
Needs ai-edge-litert, playwright, Chromium (apt-get install chromium) and LiteRT.js (npm ci). Prints JSON with the
machine and the 1-minute load average after each network.
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time

import numpy as np

from benchmarks.train_throughput import REPO, machine

NETWORKS = {  # name -> ArchitectureConfig arguments
    "quickstart": dict(resolution=32, latent_size=64, dlatent_size=64, mapping_layers=4, mapping_fmaps=64,
                       fmap_base=512, fmap_max=64),
    "128px": dict(resolution=128, latent_size=128, dlatent_size=128, mapping_layers=8, mapping_fmaps=128,
                  fmap_base=2048, fmap_max=128),
    "256px": dict(resolution=256, latent_size=128, dlatent_size=128, mapping_layers=8, mapping_fmaps=128,
                  fmap_base=4096, fmap_max=128),
}


def _median_ms(call, repeats):
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 2)


def _difference(images, expected):
    difference = np.abs(np.asarray(images).astype(int) - np.asarray(expected).astype(int))
    return {"max_levels": int(difference.max()), "mean_levels": round(float(difference.mean()), 4),
            "fraction_differing": round(float((difference > 0).mean()), 5)}


def _browser(directory, seeds, psi, repeats, variants):
    """Page load time, the page's own per-view time and its images' bytes, per weight precision."""
    from benchmarks.browser import canvas_pixels, chromium, set_view, static_server, view_key, wait_rendered

    results = {}
    with static_server(directory) as url, chromium() as browser:
        for variant in variants:
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(f"{url}#seed={seeds[0]}&psi={psi}&weights={variant}")
            wait_rendered(page, view_key(seeds[0], psi, weights=variant))
            load = time.perf_counter() - start
            images, times = [], []
            for seed in list(seeds) + list(range(10_000, 10_000 + repeats)):
                set_view(page, seed=seed)
                wait_rendered(page, view_key(seed, psi, weights=variant))
                times.append(float(re.match(r"(\d+)", page.text_content("#timing")).group(1)))
                if seed in seeds:
                    images.append(canvas_pixels(page))
            results[variant] = {"page_load_s": round(load, 2), "ms_per_view": statistics.median(times[1:]),
                                "images": np.stack(images)}
            page.close()
    return results


def measure(name, seeds, repeats):
    import tensorflow as tf

    from keras_stylegan import ArchitectureConfig, Generator
    from keras_stylegan.export import export_saved_model
    from keras_stylegan.export.litert import VARIANTS, LiteRTGenerator, model_file
    from keras_stylegan.export.web import export_web
    from keras_stylegan.inference.latents import latents_for_seeds

    generator = Generator(ArchitectureConfig(**NETWORKS[name]))
    for weight_name, variable in generator.named_weights().items():
        if weight_name.endswith("noise/strength"):
            variable.assign(np.full(variable.shape, 0.5, np.float32))
    generator.w_avg.assign(np.random.RandomState(1).randn(generator.config.dlatent_size).astype(np.float32) * 0.3)
    psi = 0.7
    z = latents_for_seeds(seeds, generator.config.latent_size)
    with tempfile.TemporaryDirectory() as root:
        served = tf.saved_model.load(export_saved_model(generator, os.path.join(root, "saved_model")))
        serve = served.signatures["serving_default"]
        expected = np.concatenate([serve(z=tf.constant(z[i:i + 1]), truncation_psi=tf.constant(np.float32(psi)))[
            "images"].numpy() for i in range(len(z))])
        variables = os.path.join(root, "saved_model", "1", "variables")
        result = {"network": name, "resolution": generator.config.resolution, "parameters": generator.count_params(),
                  "saved_model": {"variables_mb": round(sum(os.path.getsize(os.path.join(variables, f))
                                                            for f in os.listdir(variables)) / 2**20, 2),
                                  "ms_per_image": _median_ms(lambda: serve(z=tf.constant(z[:1]),
                                                                           truncation_psi=tf.constant(np.float32(psi))),
                                                             repeats)}}
        site = os.path.join(root, "site")
        start = time.perf_counter()
        export_web(generator, site, os.path.join(REPO, "node_modules"))
        result["web_export_s"] = round(time.perf_counter() - start, 1)
        browser = _browser(site, seeds, psi, repeats, VARIANTS)
        for variant in VARIANTS:
            model = LiteRTGenerator(site, variant)
            result[f"litert_{variant}"] = {
                "mb": round(os.path.getsize(os.path.join(site, model_file(variant))) / 2**20, 2),
                "interpreter_ms_per_image": _median_ms(lambda: model.images(z[:1], psi), repeats),
                "interpreter_vs_saved_model": _difference(model.images(z, psi), expected),
                "browser_page_load_s": browser[variant]["page_load_s"],
                "browser_ms_per_view": browser[variant]["ms_per_view"],
                "browser_vs_saved_model": _difference(browser[variant]["images"], expected[..., :3]),
            }
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--seeds", type=int, default=16, help="seeds 0..N-1 compared with the SavedModel")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    results = []
    for name in args.networks.split(","):
        results.append(measure(name, list(range(args.seeds)), args.repeats))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
