// The page: seeds -> z (numpy's RandomState in random_state.js) -> the model's "mapping" signature -> w,
// truncation and style mixing here (as the SavedModel's mapping and figures.py do them), then the
// "synthesis" signature -> uint8 image on the canvas. stylegan.json (written by export.py) says the shapes,
// w_avg, the default psi and cutoff and the layers of each band. The page's state lives in the URL's hash
// (#seed=85&psi=0.7&band=coarse&seed_b=3), so a view can be shared and reloaded.

import {loadLiteRt, loadAndCompile, Tensor} from "./litertjs/core.js";
import {RandomState} from "./random_state.js";

const $ = (id) => document.getElementById(id);
const MAX_SEED = 4294967295;
const state = {seed: 0, seed_b: 1, psi: 0.7, band: "none", class: 0, weights: "float32"};
let info = null;
let model = null;
let wCache = new Map();
let busy = false;
let pending = false;

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
  $("status").hidden = !text;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const key of ["seed", "seed_b", "class"]) {
    const value = Number(params.get(key));
    if (params.has(key) && Number.isInteger(value) && value >= 0 && value <= MAX_SEED) state[key] = value;
  }
  const psi = Number(params.get("psi"));
  if (params.has("psi") && psi >= -1 && psi <= 2) state.psi = psi;
  if (["none", "coarse", "middle", "fine"].includes(params.get("band"))) state.band = params.get("band");
  if (info && params.has("weights") && info.models[params.get("weights")]) state.weights = params.get("weights");
}

function writeHash() {
  const params = new URLSearchParams({seed: state.seed, psi: state.psi});
  if (state.band !== "none") {
    params.set("band", state.band);
    params.set("seed_b", state.seed_b);
  }
  if (info.label_size) params.set("class", state.class);
  if (state.weights !== "float32") params.set("weights", state.weights);
  history.replaceState(null, "", "#" + params.toString());
}

// z for a seed: RandomState(seed).randn(z_dim), rounded to float32 as generate.py's latents are.
function latent(seed) {
  return Float32Array.from(new RandomState(seed).randn(info.latent_size));
}

async function mapping(seed) {
  const key = `${state.weights}/${state.class}/${seed}`;
  if (!wCache.has(key)) {
    const inputs = {z: new Tensor(latent(seed), [1, info.latent_size])};
    if (info.label_size) {
      const labels = new Float32Array(info.label_size);
      labels[state.class] = 1;
      inputs.labels = new Tensor(labels, [1, info.label_size]);
    }
    const outputs = await model.run("mapping", inputs);
    wCache.set(key, outputs.w.toTypedArray().slice());
    Object.values(inputs).forEach((tensor) => tensor.delete());
    Object.values(outputs).forEach((tensor) => tensor.delete());
  }
  return wCache.get(key);
}

// Per-layer styles [num_layers, w_dim]: w of seed A, the band's layers from seed B, then truncation
// w_avg + (w - w_avg) * psi on the first truncation_cutoff layers (Sec. 3.2). Every step is rounded to float32
// in TensorFlow's order, so the result is the SavedModel's to the bit; a layer past the cutoff goes through the
// same expression with 1 as TensorFlow's does.
function styles(wA, wB, band) {
  const layers = info.num_layers;
  const size = info.dlatent_size;
  const psi = Math.fround(state.psi);
  const fromB = new Set(band === "none" ? [] : info.bands[band]);
  const ws = new Float32Array(layers * size);
  for (let layer = 0; layer < layers; layer++) {
    const w = fromB.has(layer) ? wB : wA;
    const t = layer < info.truncation_cutoff ? psi : 1;
    for (let i = 0; i < size; i++) {
      const average = info.w_avg32[i];
      ws[layer * size + i] = Math.fround(average + Math.fround(Math.fround(w[i] - average) * t));
    }
  }
  return ws;
}

async function synthesis(ws) {
  const input = new Tensor(ws, [1, info.num_layers, info.dlatent_size]);
  const outputs = await model.run("synthesis", {ws: input});
  const pixels = outputs.images.toTypedArray().slice();
  input.delete();
  Object.values(outputs).forEach((tensor) => tensor.delete());
  return pixels;
}

function draw(canvas, pixels) {
  const size = info.resolution;
  const channels = info.num_channels;
  canvas.width = size;
  canvas.height = size;
  const image = new ImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) image.data[4 * p + c] = pixels[p * channels + (channels === 1 ? 0 : c)];
    image.data[4 * p + 3] = 255;
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

function viewKey() {
  const mix = state.band === "none" ? "" : ` ${state.band} from ${state.seed_b}`;
  return `seed ${state.seed}${mix} psi ${state.psi} class ${state.class} ${state.weights}`;
}

// Draw the current state; changes that arrive while a draw runs are drawn next, the latest only.
async function render() {
  if (!model) return;
  if (busy) {
    pending = true;
    return;
  }
  busy = true;
  try {
    do {
      pending = false;
      const key = viewKey();
      const start = performance.now();
      const wA = await mapping(state.seed);
      const wB = state.band === "none" ? wA : await mapping(state.seed_b);
      draw($("image"), await synthesis(styles(wA, wB, state.band)));
      const took = performance.now() - start;
      const mix = state.band === "none" ? "" : ` with the ${state.band} styles of seed ${state.seed_b}`;
      $("caption").textContent = `seed ${state.seed}${mix}, \u03c8 ${state.psi.toFixed(2)}`;
      $("timing").textContent = `${took.toFixed(0)} ms`;
      $("image").dataset.rendered = key;
      $("sources").hidden = state.band === "none";
      if (state.band !== "none" && !pending) {
        draw($("image-a"), await synthesis(styles(wA, wA, "none")));
        draw($("image-b"), await synthesis(styles(wB, wB, "none")));
      }
    } while (pending);
  } catch (error) {
    setStatus(`Could not generate: ${error.message || error}`, true);
    console.error(error);
  } finally {
    busy = false;
  }
}

function update(changes) {
  Object.assign(state, changes);
  state.seed = clampSeed(state.seed);
  state.seed_b = clampSeed(state.seed_b);
  syncControls();
  writeHash();
  render();
}

function clampSeed(seed) {
  return Math.min(MAX_SEED, Math.max(0, Math.round(Number(seed) || 0)));
}

function syncControls() {
  $("seed").value = state.seed;
  $("seed-b").value = state.seed_b;
  $("psi").value = state.psi;
  $("psi-value").textContent = state.psi.toFixed(2);
  for (const radio of document.querySelectorAll("input[name=band]")) radio.checked = radio.value === state.band;
  $("class").value = state.class;
  $("weights").value = state.weights;
}

async function loadModel(weights) {
  const file = info.models[weights];
  setStatus(`Loading the ${weights} model\u2026`);
  const next = await loadAndCompile(`./${file}`, {accelerator: "wasm"});
  while (busy) await new Promise((resolve) => setTimeout(resolve, 10));  // let a draw with the old model end
  if (model) model.delete();
  model = next;
  wCache = new Map();
  setStatus("");
}

function wireControls() {
  const seedInput = (id, key) => $(id).addEventListener("change", () => update({[key]: $(id).value}));
  seedInput("seed", "seed");
  seedInput("seed-b", "seed_b");
  $("seed-prev").addEventListener("click", () => update({seed: state.seed - 1}));
  $("seed-next").addEventListener("click", () => update({seed: state.seed + 1}));
  $("seed-b-prev").addEventListener("click", () => update({seed_b: state.seed_b - 1}));
  $("seed-b-next").addEventListener("click", () => update({seed_b: state.seed_b + 1}));
  const randomSeed = () => Math.floor(Math.random() * 100000);
  $("seed-random").addEventListener("click", () => update({seed: randomSeed()}));
  $("seed-b-random").addEventListener("click", () => update({seed_b: randomSeed(), band: state.band === "none" ? "coarse" : state.band}));
  $("psi").addEventListener("input", () => update({psi: Number($("psi").value)}));
  $("psi-reset").addEventListener("click", () => update({psi: info.truncation_psi}));
  for (const radio of document.querySelectorAll("input[name=band]")) {
    radio.addEventListener("change", () => update({band: radio.value}));
  }
  $("class").addEventListener("change", () => update({class: Number($("class").value)}));
  $("weights").addEventListener("change", async () => {
    await loadModel($("weights").value);
    update({weights: $("weights").value});
  });
  $("smooth").addEventListener("change", () => document.body.classList.toggle("pixelated", !$("smooth").checked));
  $("save").addEventListener("click", () => {
    const link = document.createElement("a");
    link.download = `seed${String(state.seed).padStart(4, "0")}.png`;
    link.href = $("image").toDataURL("image/png");
    link.click();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.tagName === "INPUT" && event.target.type === "number") return;
    if (event.key === "ArrowRight") update({seed: state.seed + 1});
    if (event.key === "ArrowLeft") update({seed: state.seed - 1});
  });
  window.addEventListener("hashchange", () => {
    readHash();
    syncControls();
    render();
  });
}

function describeNetwork() {
  const fade = info.alpha === 1 ? "" : `, fading in (alpha ${info.alpha.toFixed(3)})`;
  const of = info.resolution === info.network_resolution ? "" : ` of a ${info.network_resolution} px network`;
  $("network").textContent = `${info.resolution}\u00d7${info.resolution} px${of}${fade}, ${info.latent_size}-d z, ` +
    `truncation on ${info.truncation_cutoff} of ${info.num_layers} style layers`;
  for (const weights of Object.keys(info.models)) $("weights").add(new Option(weights, weights));
  for (const radio of document.querySelectorAll("input[name=band]")) {
    const empty = radio.value !== "none" && !info.bands[radio.value].length;
    radio.disabled = empty;
    radio.parentElement.title = empty ? `this network has no ${radio.value} layers` : "";
  }
  if (info.label_size) {
    $("class-row").hidden = false;
    for (let c = 0; c < info.label_size; c++) $("class").add(new Option(String(c), String(c)));
  }
}

async function main() {
  if (location.protocol === "file:") {
    setStatus("Open this page through a web server: in its folder run python -m http.server, then open " +
              "http://localhost:8000/ (browsers do not let a page read its model from file:// addresses).", true);
    return;
  }
  try {
    info = await (await fetch("./stylegan.json")).json();
    info.w_avg32 = Float32Array.from(info.w_avg);
    state.psi = info.truncation_psi;
    readHash();
    describeNetwork();
    wireControls();
    syncControls();
    await loadLiteRt("./litertjs/wasm/");
    await loadModel(state.weights);
    writeHash();
    await render();
  } catch (error) {
    setStatus(`Could not start: ${error.message || error}`, true);
    console.error(error);
  }
}

main();
