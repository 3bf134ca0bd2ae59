#!/usr/bin/env bash
# Redraw every picture and figure of the README's "Editing real images" section from a quickstart run directory:
#   bash docs/make_projection_figures.sh RUN_DIR [FINE_RUN] [OUTDIR]
# RUN_DIR: a run of configs/quickstart.flags (trained on builtin:twemoji-faces-train, so builtin:twemoji-faces-heldout
# are real images it never saw). FINE_RUN: the same network fine-tuned on other images, for the blend; without it,
# a copy of RUN_DIR is fine-tuned on all Twemoji (builtin:twemoji) for 12k images more. OUTDIR defaults to docs/;
# the projections, latents and results.json files stay in OUTDIR/projection-work/. PYTHON picks the interpreter.
set -euo pipefail
run="$(cd "${1:?usage: bash docs/make_projection_figures.sh RUN_DIR [FINE_RUN] [OUTDIR]}" && pwd)"
docs="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${3:-$docs}" && cd "${3:-$docs}" && pwd)"
work="$out/projection-work"
python="${PYTHON:-python}"
cd "$docs/.."
mkdir -p "$work"

# 1. Projection of the network's own images (known w) and of the held-out reals, in W and W+, 1000 steps each.
for space in w w_plus; do
  "$python" project.py --network="$run" --seeds=0-15 --space="$space" --outdir="$work/own-$space" --overwrite
  "$python" project.py --network="$run" --target=builtin:twemoji-faces-heldout --space="$space" \
      --outdir="$work/heldout-$space" --overwrite
done
"$python" project.py --network="$run" --target=builtin:twemoji-faces-heldout --space=w_plus --steps=300 \
    --video=gif --video_every=5 --outdir="$work/video" --overwrite
cp "$work/video/1f606.gif" "$out/projection-optimisation.gif"
"$python" docs/projection_figures.py table "$work"/own-w/results.json "$work"/own-w_plus/results.json \
    "$work"/heldout-w/results.json "$work"/heldout-w_plus/results.json | tee "$work/table.md"

# 2. A direction from labelled seeds (redness measured on each seed's image), edits of the held-out projections.
"$python" docs/projection_figures.py labels "$run" "$work/red-labels.txt"
"$python" edit.py direction --network="$run" --labels="$work/red-labels.txt" --output="$work/red.npz" --overwrite
"$python" docs/projection_figures.py along "$run" "$work/red.npz" "$work/heldout-w_plus" "$work/red-along.json"
"$python" docs/projection_figures.py sheet "$run" "$work/red.npz" "$work/heldout-w" "$work/heldout-w_plus" \
    "$out/projection-heldout.png"
"$python" edit.py strip --network="$run" --latent="$work/heldout-w_plus/1f606.npz" --direction="$work/red.npz" \
    --strengths=-2,-1,0,1,2,3 --scale=3 --output="$out/projection-edit-strip.png" --overwrite
"$python" edit.py mix --network="$run" --latent="$work/heldout-w_plus/1f606.npz" --seeds=1,7,21,42,85 --scale=3 \
    --output="$out/projection-mix.png" --overwrite

# 3. Blending: the faces network's coarse blocks with the fine blocks of its fine-tuned copy.
fine="${2:-}"
if [ -z "$fine" ]; then
  rm -rf "$work/finetune" && mkdir -p "$work/finetune"
  cp -r "$run" "$work/finetune/" && rm -f "$work/finetune/$(basename "$run")/lock"
  fine="$work/finetune/$(basename "$run")"
  "$python" train.py --resume="$fine" --data=builtin:twemoji --total_kimg=60 --outdir="$work/finetune"
fi
"$python" blend.py --coarse="$run" --fine="$fine" --resolution=16 --output="$work/blend-16.keras" \
    --preview="$out/blend-16.png" --seeds=0-7 --scale=3 --overwrite
