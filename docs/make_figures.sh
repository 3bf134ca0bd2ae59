#!/usr/bin/env bash
# Regenerate every picture of the README's "Generating images" section from a run directory, one command each:
#   bash docs/make_figures.sh RUN_DIR [OUTDIR]        (OUTDIR defaults to docs/; PYTHON picks the interpreter)
# e.g. after `python train.py --flagfile=configs/quickstart.flags --outdir=runs`: bash docs/make_figures.sh runs/00000-quickstart
set -euo pipefail
run="$(cd "${1:?usage: bash docs/make_figures.sh RUN_DIR [OUTDIR]}" && pwd)"
docs="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${2:-$docs}" && cd "${2:-$docs}" && pwd)"
python="${PYTHON:-python}"
cd "$docs/.."

"$python" figures.py style-mixing --network="$run" --scale=2 --overwrite --output="$out/figure03-style-mixing.png"
"$python" figures.py stochastic-variation --network="$run" --scale=2 --overwrite --output="$out/figure04-stochastic-variation.png"
"$python" figures.py noise-components --network="$run" --scale=2 --overwrite --output="$out/figure05-noise-components.png"
"$python" figures.py truncation --network="$run" --scale=2 --overwrite --output="$out/figure08-truncation.png"
"$python" figures.py interpolation --network="$run" --space=z --steps=16 --scale=4 --overwrite --output="$out/interpolation-z.gif"
"$python" figures.py interpolation --network="$run" --space=w --steps=16 --scale=4 --overwrite --output="$out/interpolation-w.gif"
grid="$(mktemp -d)"
trap 'rm -rf "$grid"' EXIT
"$python" generate.py --network="$run" --seeds=0-35 --grid --outdir="$grid"
mv "$grid/grid.png" "$out/generate-grid.png"
