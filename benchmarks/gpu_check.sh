#!/usr/bin/env bash
# The GPU check, in one call on a machine with a CUDA GPU (about 5 min on
# one H200): the conv benchmark on CUDA (ours vs RGCNConv vs FastRGCNConv),
# teacher pre-training on DBP-5L (4 sources, benchmark budget) and the el
# student, and evaluation queries/s (CPU vs CUDA). Records: benchmarks/results/*_cuda.{jsonl,md},
# each naming the GPU. Copies them to $OUT when set (the device tool).
#
#   bash benchmarks/gpu_check.sh [data folder]
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-${PYG_KGT_DATA:-../shared/data}}
PY=${PYTHON:-python}
export PYG_KGT_DATA=$DATA
status=0
step() {  # a failing step is reported and the others still run
  echo "== $*"; local began=$SECONDS
  "$@" || { echo "!! failed: $*"; status=1; }
  echo "   ($((SECONDS - began)) s)"
}
$PY - <<'PY' || exit 2
import torch
assert torch.cuda.is_available(), 'no CUDA device: nothing to check'
print('GPU:', torch.cuda.get_device_name(0), '| torch', torch.__version__)
PY
step $PY -m benchmarks.bench_conv --device cuda --graph uniform --iters 20
step $PY -m benchmarks.bench_conv --device cuda --graph dbp5l-4 --iters 20 \
  --data "$DATA"
step $PY -m benchmarks.bench_eval_speed --device cuda --data "$DATA"
step $PY -m benchmarks.gpu_check transfer --data "$DATA"
if [ -n "${OUT:-}" ]; then
  cp benchmarks/results/*_cuda.* "$OUT"/ 2>/dev/null
fi
exit $status
