#!/usr/bin/env bash
# Train both CPU quickstarts from scratch and copy their final fakes grids into docs/ (the README's quickstart
# pictures), printing each run's wall clock time and the machine's load:
#   bash docs/make_quickstart_grids.sh [OUTDIR]     (run directories go to OUTDIR, default runs; PYTHON picks
#                                                    the interpreter; CACHE_DIR, if set, is passed as --cache_dir)
# Then `bash docs/make_figures.sh <the quickstart run it prints>` redraws the generation figures from that run.
set -euo pipefail
docs="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"
cd "$docs/.."
outdir="${1:-runs}"
cache=()
if [ -n "${CACHE_DIR:-}" ]; then cache=(--cache_dir="$CACHE_DIR"); fi

for config in quickstart quickstart-conditional; do
  start=$(date +%s)
  "$python" train.py --flagfile="configs/$config.flags" --outdir="$outdir" --resume=none "${cache[@]}"
  seconds=$(( $(date +%s) - start ))
  run="$(ls -d "$outdir"/[0-9]*-"$config" | tail -1)"
  grid="$(ls "$run"/fakes-*[0-9].png | tail -1)"
  cp "$grid" "$docs/$config-fakes.png"
  echo "$config: $((seconds / 60)) min $((seconds % 60)) s wall clock, load average at the end:" \
       "$(uptime | sed 's/.*load average: //'); $(nproc) CPUs; $grid -> docs/$config-fakes.png"
done
