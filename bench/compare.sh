#!/usr/bin/env bash
# Runs the peers (OpenBLAS through numpy, PyTorch, scikit-learn) and Descent in one go and prints the ratios.
# Usage: [THREADS=2] [ROUNDS=3] bench/compare.sh [gemm|mlp|all]      (default: all)
# Each peer gets its best thread setting: OpenBLAS is measured at 1 and $THREADS threads and the better is kept;
# PyTorch runs 1 OpenMP thread + $THREADS OpenBLAS threads (the fastest setting here, see ../shared/BENCHMARKS.md).
# Timings on a shared machine are noisy: every figure is a best-of-N, and only ratios from one run mean anything.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-all}"
threads="${THREADS:-$(nproc)}"
rounds="${ROUNDS:-3}"
py=/usr/bin/python3
anchors="${ANCHORS:-$root/../shared/anchors}"
[[ -d "$anchors" ]] || anchors=/work/shared/anchors
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if ! "$py" -c "import numpy, torch, sklearn" 2>/dev/null; then
  echo "compare: installing the peers (python3-torch python3-sklearn libopenblas0-pthread)…" >&2
  if [[ $(id -u) == 0 ]]; then apt-get install -y python3-torch python3-sklearn libopenblas0-pthread >&2
  else sudo apt-get install -y python3-torch python3-sklearn libopenblas0-pthread >&2; fi
fi

if [[ $what == gemm || $what == all ]]; then
  echo "== SGEMM: OpenBLAS (numpy) vs Descent, GFLOP/s, $threads threads at most ==" >&2
  # Interleave the rounds so both sides see the same spells of load; keep each cell's best round.
  for ((r = 1; r <= rounds; r++)); do
    echo "round $r of $rounds" >&2
    OPENBLAS_NUM_THREADS=1 "$py" "$anchors/gemm_anchor.py" > "$out/blas1.$r.txt"
    OPENBLAS_NUM_THREADS="$threads" "$py" "$anchors/gemm_anchor.py" > "$out/blasN.$r.txt"
    "$root/descent" bench gemm --json --threads "1,$threads" > "$out/descent_gemm.$r.json"
  done
  "$py" - "$out" "$threads" "$rounds" <<'PY'
import json, re, sys
out, threads, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def blas(kind):
    rows = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{kind}.{r}.txt"):
            m = re.match(r"(.*?)\s+([\d.]+) GFLOP/s", line)
            if m:
                name = re.sub(r"\s+", " ", m.group(1).strip())
                rows[name] = max(rows.get(name, 0.0), float(m.group(2)))
    return rows
b1, bn = blas("blas1"), blas("blasN")
res, peak = {}, None
for r in range(1, rounds + 1):
    d = json.load(open(f"{out}/descent_gemm.{r}.json"))
    peak = d["peak_gflops_per_core"]
    for x in d["results"]:
        by = res.setdefault(re.sub(r"\s+", " ", x["shape"]), {})
        by[x["threads"]] = max(by.get(x["threads"], 0.0), x["gflops"])
print(f"{'shape':30s} {'BLAS 1t':>8s} {'BLAS {}t'.format(threads):>8s} {'Descent 1t':>10s} {'Descent {}t'.format(threads):>10s} {'% peak':>7s} {'ratio':>6s}")
for name, by in res.items():
    one, many = by.get(1, float("nan")), by.get(threads, by.get(1))
    best_d = max(one, many)
    o1, on = b1.get(name), bn.get(name)
    best_b = max(x for x in (o1, on) if x is not None) if (o1 or on) else None
    ratio = f"{best_d / best_b:5.2f}x" if best_b else "   -  "
    f = lambda v: f"{v:8.1f}" if v is not None else "       -"
    print(f"{name:30s} {f(o1)} {f(on)} {one:10.1f} {many:10.1f} {100 * many / (peak * threads):6.0f}% {ratio:>6s}")
print(f"best of {rounds} interleaved rounds per cell; ratio = Descent's best / OpenBLAS's best thread setting; % peak = Descent at {threads} threads / ({threads} × {peak:.0f} GFLOP/s).")
PY
fi

if [[ $what == mlp || $what == all ]]; then
  echo "== MLP 784-256-128-10, batch 128, Adam: train samples/s (5 epochs, best epoch) ==" >&2
  OPENBLAS_NUM_THREADS="$threads" "$py" "$anchors/torch_fmnist.py" mlp 5 128 1 > "$out/torch.txt"
  OPENBLAS_NUM_THREADS="$threads" "$py" "$anchors/sklearn_fmnist.py" 5 > "$out/sklearn.txt"
  descent_rate=""
  if "$root/descent" bench --help 2>/dev/null | grep -qE '^\s+mlp\b'; then
    "$root/descent" bench mlp --json > "$out/descent_mlp.json"
    descent_rate=$("$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('train_samples_per_s') or d.get('samples_per_s') or '')" "$out/descent_mlp.json")
  fi
  torch_rate=$(grep -oP 'train_samples_per_s \K[0-9]+' "$out/torch.txt" | sort -n | tail -1)
  sk_rate=$(grep -oP 'train_samples_per_s \K[0-9]+' "$out/sklearn.txt" | sort -n | tail -1)
  echo "PyTorch (1 OpenMP + $threads OpenBLAS threads): $torch_rate samples/s"
  echo "scikit-learn ($threads OpenBLAS threads):         $sk_rate samples/s"
  if [[ -n "$descent_rate" ]]; then
    echo "Descent:                                         $descent_rate samples/s  ($("$py" -c "print(f'{$descent_rate/$torch_rate:.2f}')")x PyTorch)"
  else
    echo "Descent: \`descent bench mlp\` is not there yet."
  fi
fi
