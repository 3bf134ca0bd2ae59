#!/usr/bin/env bash
# The README's comparison of augmentations on the CPU quickstarts, from scratch: the quickstart with
# --augment=none, diffaug and ada for each seed of SEEDS (default "0 1 2 3 4"), the conditional quickstart with
# each method (seed 0), every run at its config's length (equal images); then each quickstart network scored
# (SWD and augment_leak, 2048 images a side), the SWD curves of all runs in one plot, and the last grids side by side:
#   bash docs/make_augment_comparison.sh [OUTDIR]       (runs go to OUTDIR, default runs/augment-comparison; PYTHON
#                                                        picks the interpreter; CACHE_DIR, if set, is --cache_dir)
# Writes docs/quickstart-augment-swd.png, docs/quickstart-augment-fakes.png, docs/quickstart-conditional-augment-fakes.png
# and prints each run's wall time, load average and final scores.
set -euo pipefail
docs="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"
cd "$docs/.."
outdir="${1:-runs/augment-comparison}"
seeds="${SEEDS:-0 1 2 3 4}"
cache=()
if [ -n "${CACHE_DIR:-}" ]; then cache=(--cache_dir="$CACHE_DIR"); fi
declare -A method_flags=([none]="--augment=none" [diffaug]="--augment=diffaug" [ada]="--augment=ada --ada_kimg=10")

train() {  # NAME FLAGFILE FLAGS...: one run in $outdir/NAME, its wall time and load printed
  local name=$1 flagfile=$2 start
  shift 2
  start=$(date +%s)
  "$python" train.py --flagfile="$flagfile" --outdir="$outdir/$name" --resume=none "${cache[@]}" "$@" > /dev/null
  echo "$name: $(( $(date +%s) - start )) s wall clock, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

runs=() labels=()
for seed in $seeds; do
  for method in none diffaug ada; do
    train "quickstart-$method-s$seed" configs/quickstart.flags --seed="$seed" ${method_flags[$method]}
    run="$(ls -d "$outdir/quickstart-$method-s$seed"/[0-9]*-quickstart | tail -1)"
    "$python" evaluate.py --network="$run" --data=builtin:twemoji-faces-train --metrics=swd,augment_leak \
      --num_images=2048 "${cache[@]}" 2> /dev/null | sed "s|^|$method seed $seed: |"
    runs+=("$run") labels+=("$method")
  done
done
for method in none diffaug ada; do
  train "conditional-$method" configs/quickstart-conditional.flags ${method_flags[$method]}
done

"$python" plot_metrics.py --run="$(IFS=,; echo "${runs[*]}")" --labels="$(IFS=,; echo "${labels[*]}")" \
  --figure=swd --output="$docs/quickstart-augment-swd.png"
"$python" - "$outdir" "$docs" "${seeds%% *}" <<'EOF'
"""The last grids of seed FIRST (quickstart) and of the conditional runs side by side, a caption above each."""
import glob
import sys

from PIL import Image, ImageDraw, ImageFont

outdir, docs, first = sys.argv[1:4]
for prefix, suffix, output in (("quickstart-", f"-s{first}", "quickstart-augment-fakes.png"),
                               ("conditional-", "", "quickstart-conditional-augment-fakes.png")):
    grids = []
    for method in ("none", "diffaug", "ada"):
        found = sorted(glob.glob(f"{outdir}/{prefix}{method}{suffix}/*/fakes-*[0-9].png"))
        grids.append((f"--augment={method}", Image.open(found[-1]).convert("RGB")))
    width, height = grids[0][1].size
    sheet = Image.new("RGB", (3 * width + 20, height + 24), "white")
    draw = ImageDraw.Draw(sheet)
    draw.font = ImageFont.load_default(size=16)
    for column, (caption, grid) in enumerate(grids):
        sheet.paste(grid, (column * (width + 10), 24))
        draw.text((column * (width + 10) + width // 2, 12), caption, fill="black", anchor="mm")
    sheet.save(f"{docs}/{output}")
    print(f"wrote {docs}/{output}")
EOF
