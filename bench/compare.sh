#!/usr/bin/env bash
# Runs the peers (OpenBLAS through numpy, PyTorch, scikit-learn) and Descent in one go and prints the ratios.
# Usage: [THREADS=2] [ROUNDS=3] [EPOCHS=1] bench/compare.sh [gemm|mlp|cnn|all]      (default: all)
# Each peer gets its best thread setting: OpenBLAS is measured at 1 and $THREADS threads and the better is kept;
# PyTorch runs 1 OpenMP thread + $THREADS OpenBLAS threads for the MLP (the fastest setting here, see
# ../shared/BENCHMARKS.md); for the CNN every setting of 1 or 2 torch threads × 1 or 2 OpenBLAS threads runs and the best counts.
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

# Build first (the launcher rebuilds when a source changed), so no timed run includes the build: `bench mlp`'s start →
# first step counts from the process's start, and the launcher execs the CLI in its own process.
"$root/descent" --version > /dev/null

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
res, pct, peaks = {}, {}, []
for r in range(1, rounds + 1):
    d = json.load(open(f"{out}/descent_gemm.{r}.json"))
    peaks.append((d["peak_gflops_per_core"], d["peak_gflops_all_cores"]))
    cpu = f'{d["cpu"]}, {d["vector_bits"]}-bit vectors, L1d {d["l1d_bytes"] >> 10} KiB, L2 {d["l2_bytes"] >> 10} KiB, L3 {d["l3_bytes"] >> 20} MiB'
    for x in d["results"]:
        name = re.sub(r"\s+", " ", x["shape"])
        by = res.setdefault(name, {})
        if x["gflops"] > by.get(x["threads"], 0.0):
            by[x["threads"]] = x["gflops"]
            pct[(name, x["threads"])] = x["percent_of_peak"]
print(f"processor: {cpu}")
print(f"{'shape':30s} {'BLAS 1t':>8s} {'BLAS {}t'.format(threads):>8s} {'Descent 1t':>10s} {'Descent {}t'.format(threads):>10s} {'%pk 1t':>7s} {'%pk {}t'.format(threads):>7s} {'ratio':>6s}")
for name, by in res.items():
    one, many = by.get(1, float("nan")), by.get(threads, by.get(1))
    best_d = max(one, many)
    o1, on = b1.get(name), bn.get(name)
    best_b = max(x for x in (o1, on) if x is not None) if (o1 or on) else None
    ratio = f"{best_d / best_b:5.2f}x" if best_b else "   -  "
    f = lambda v: f"{v:8.1f}" if v is not None else "       -"
    p1, pn = pct.get((name, 1), float("nan")), pct.get((name, threads), pct.get((name, 1), float("nan")))
    print(f"{name:30s} {f(o1)} {f(on)} {one:10.1f} {many:10.1f} {p1:6.0f}% {pn:6.0f}% {ratio:>6s}")
print(f"best of {rounds} interleaved rounds per cell; ratio = Descent's best / OpenBLAS's best thread setting; % peak = of the peak "
      f"`descent bench gemm` measured in that round (FMA probe; per round, one core / all cores: "
      + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in peaks) + " GFLOP/s).")
PY
fi

if [[ $what == mlp || $what == all ]]; then
  echo "== MLP 784-256-128-10, batch 128, Adam: train samples/s (5 epochs, best epoch), batch-1 latency, peak memory ==" >&2
  OPENBLAS_NUM_THREADS="$threads" "$py" "$anchors/torch_fmnist.py" mlp 5 128 1 > "$out/torch.txt"
  OPENBLAS_NUM_THREADS="$threads" "$py" "$anchors/sklearn_fmnist.py" 5 > "$out/sklearn.txt" 2> "$out/sklearn.err"
  OPENBLAS_NUM_THREADS=1 "$py" "$root/bench/torch_infer.py" mlp > "$out/torch_infer.txt"
  "$root/descent" bench mlp --json > "$out/descent_mlp.json"
  "$py" - "$out" "$threads" <<'PY'
import json, re, sys
out, threads = sys.argv[1], sys.argv[2]
def grab(path, key):
    vals = [float(m.group(1)) for line in open(path) for m in [re.search(key + r" ([0-9.]+)", line)] if m]
    return vals
torch_rate = max(grab(f"{out}/torch.txt", "train_samples_per_s"))
torch_acc = grab(f"{out}/torch.txt", "test_acc")[-1]
torch_rss = grab(f"{out}/torch.txt", "peak_rss_mb")[-1]
sk_rate = max(grab(f"{out}/sklearn.txt", "train_samples_per_s"))
torch_infer = min(grab(f"{out}/torch_infer.txt", "infer_us"))
d = json.load(open(f"{out}/descent_mlp.json"))
rate, acc, rss = d["train_samples_per_s"], d["test_accuracy"], d["peak_rss_mb"]
inf1, infn, start = d["inference_latency_us"], d["inference_latency_all_threads_us"], d["start_to_first_step_s"]
print(f"PyTorch (1 OpenMP + {threads} OpenBLAS threads): {torch_rate:9.0f} samples/s, test accuracy {torch_acc:.4f} after 5 epochs, peak RSS {torch_rss:.0f} MB")
print(f"scikit-learn ({threads} OpenBLAS threads):         {sk_rate:9.0f} samples/s")
print(f"Descent ({d['threads']} threads):                          {rate:9.0f} samples/s, test accuracy {acc:.4f} after 5 epochs, peak RSS {rss:.0f} MB")
print()
print(f"training samples/s     Descent / fastest peer   {rate / max(torch_rate, sk_rate):5.2f}x   (target >= 3)")
print(f"batch-1 inference      PyTorch best {torch_infer:.1f} us (1 or 2 threads); Descent {inf1:.1f} us on 1 thread, {infn:.1f} us on {d['threads']}"
      f" -> {torch_infer / inf1:.1f}x / {torch_infer / infn:.1f}x faster   (target >= 10)")
print(f"peak memory            Descent / PyTorch        {rss / torch_rss:5.2f}    (target <= 0.5)")
print(f"process start -> first step (Descent)          {start:5.3f} s (target <= 0.3)")
PY
fi

if [[ $what == cnn || $what == all ]]; then
  epochs="${EPOCHS:-1}"
  echo "== CNN (conv 32 -> BN -> ReLU -> pool, conv 64 -> BN -> ReLU -> pool, FC 128, dropout, FC 10), batch 128, Adam: $epochs epoch(s) ==" >&2
  for t in 1 2; do for b in 1 2; do
    echo "PyTorch CNN: $t torch threads, $b OpenBLAS threads" >&2
    OPENBLAS_NUM_THREADS=$b "$py" "$anchors/torch_fmnist.py" cnn "$epochs" 128 "$t" > "$out/torch_cnn.$t.$b.txt"
  done; done
  OPENBLAS_NUM_THREADS=1 "$py" "$root/bench/torch_infer.py" cnn > "$out/torch_infer_cnn.txt"
  echo "Descent CNN" >&2
  "$root/descent" bench cnn --json --epochs "$epochs" > "$out/descent_cnn.json"
  "$py" - "$out" <<'PY'
import glob, json, re, sys
out = sys.argv[1]
def grab(path, key):
    return [float(m.group(1)) for line in open(path) for m in [re.search(key + r" ([0-9.]+)", line)] if m]
runs = []
for path in sorted(glob.glob(f"{out}/torch_cnn.*.txt")):
    t, b = re.search(r"torch_cnn\.(\d)\.(\d)\.txt", path).groups()
    rates = grab(path, "train_samples_per_s")
    if rates:
        runs.append((max(rates), t, b, grab(path, "test_acc")[-1], grab(path, "peak_rss_mb")[-1]))
for rate, t, b, acc, rss in runs:
    print(f"PyTorch CNN, {t} torch + {b} OpenBLAS threads: {rate:8.0f} samples/s, test accuracy {acc:.4f}, peak RSS {rss:.0f} MB")
rate_t, t, b, acc_t, rss_t = max(runs)
infer_t = min(grab(f"{out}/torch_infer_cnn.txt", "infer_us"))
d = json.load(open(f"{out}/descent_cnn.json"))
print(f"Descent CNN ({d['threads']} threads):                 {d['train_samples_per_s']:8.0f} samples/s, test accuracy {d['test_accuracy']:.4f}, peak RSS {d['peak_rss_mb']:.0f} MB")
print()
print(f"training samples/s     Descent / PyTorch's best ({t}+{b})  {d['train_samples_per_s'] / rate_t:5.2f}x   (target >= 4); accuracy after {d['epochs']} epoch(s): {d['test_accuracy']:.4f} vs {acc_t:.4f}")
print(f"batch-1 inference      PyTorch best {infer_t:.1f} us; Descent {d['inference_latency_us']:.1f} us on 1 thread, {d['inference_latency_all_threads_us']:.1f} us on {d['threads']}"
      f" -> {infer_t / d['inference_latency_us']:.1f}x / {infer_t / d['inference_latency_all_threads_us']:.1f}x faster   (target >= 5)")
print(f"peak memory            Descent / PyTorch's best run   {d['peak_rss_mb'] / rss_t:5.2f}    (target <= 0.5)")
PY
fi
