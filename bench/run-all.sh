#!/usr/bin/env bash
# The performance rows of docs/benchmarks.md ("Issue 21: the GRPO step against PyTorch"), in one go.
# Run from the repository root on a QUIET machine (nothing else building or testing: check `uptime`, load < 0.5),
# with both cores, the way the issue measured: 2 threads, fp32 and bf16, GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
#   bash bench/run-all.sh [BEFORE_COMMIT]   # takes ~20-30 min; output goes to stdout and out/bench-results-<date>.md
# With BEFORE_COMMIT (e.g. the commit the issue measured), the demo's phase split is also taken at that commit from a
# temporary git worktree, for the before/after table.
set -euo pipefail
stamp=$(date -u +%Y%m%d-%H%M%S)
export GLIBC_TUNABLES=glibc.malloc.hugetlb=1
mkdir -p out
out="out/bench-results-$stamp.md"
exec > >(tee "$out") 2>&1

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores," \
  "bf16 flags: $(grep -o 'avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | xargs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build -c Release bench/VisionGrpo.Bench -v q -nologo
dotnet build -c Release src/VisionGrpo.Cli -v q -nologo
bench() { echo; echo "## bench $* (load $(cut -d' ' -f1-3 /proc/loadavg))"; dotnet bench/VisionGrpo.Bench/bin/Release/net10.0/VisionGrpo.Bench.dll "$@"; }

# 1. GEMM probe: MKL's own choice on AMD (AVX2 "zen" sgemm) vs its AVX-512 kernels, and bf16 (oneDNN).
VISIONGRPO_MKL_AVX512=0 bench gemm --lm-head --iters 20
bench gemm --lm-head --iters 20

# 2. The demo step's scoring forward and backward: old path (full logits) vs fused, interleaved in one process.
bench scoring --iters 20

# 3. The demo step with its phase split (generation, scoring forward, backward, optimizer), fp32 and bf16;
#    fp32 also with MKL's own choice, to separate the two changes.
bench trainer --recipe recipes/demo.yaml --steps 14
VISIONGRPO_MKL_AVX512=0 bench trainer --recipe recipes/demo.yaml --steps 14
bench trainer --recipe recipes/demo.yaml --steps 14 --set bf16=true
#    and on one thread (at load 1.5 one thread was faster than two for this tiny model: decide torch_threads for the demo)
VISIONGRPO_THREADS=1 bench trainer --recipe recipes/demo.yaml --steps 14

# 4. Qwen2.5-0.5B-shaped decoder: forward + backward at 1 x 128 tokens (full-logit CE and fused), fp32 and bf16.
VISIONGRPO_MKL_AVX512=0 bench decoder-step --dtypes fp32 --loss full --iters 5
bench decoder-step --iters 5

# 5. Same shape: prefill 128 tokens and greedy decode at batch 1, with the copy-bandwidth roofline, fp32 and bf16;
#    the row-split decode products against nn.Linear's path, interleaved; and the GEMV probe behind them.
VISIONGRPO_MKL_AVX512=0 bench model --skip-tiny --batches 1 --prompt 128 --decode 16 --dtypes fp32
bench model --skip-tiny --batches 1 --prompt 128 --decode 16 --one-row rowsplit,linear
bench gemv --iters 10 --stream

# 6. The demo itself (README command, Release build, fp32 as recipes/demo.yaml says), then with bf16 forced on:
#    before/after accuracy and the trainer's own phase split.
echo; echo "## demo: visiongrpo train (load $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/time -v dotnet run -c Release --no-build --project src/VisionGrpo.Cli -- train --set output_dir=out/bench-demo-$stamp 2>&1 \
  | grep -E "accuracy|format|time:|Elapsed|Maximum resident"
echo; echo "## demo with bf16=true"
dotnet run -c Release --no-build --project src/VisionGrpo.Cli -- train --set output_dir=out/bench-demo-bf16-$stamp --set bf16=true 2>&1 \
  | grep -E "accuracy|format|time:"

if [ $# -ge 1 ]; then
  before=$(mktemp -d)/before
  git worktree add --detach "$before" "$1" >/dev/null
  echo; echo "## demo at $1 (before; load $(cut -d' ' -f1-3 /proc/loadavg))"
  (cd "$before" && dotnet build -c Release src/VisionGrpo.Cli -v q -nologo >/dev/null &&
    dotnet run -c Release --no-build --project src/VisionGrpo.Cli -- train --set output_dir=out/bench-demo-$stamp 2>&1 | grep -E "accuracy|format|time:")
  git worktree remove --force "$before"
fi
echo; echo "results in $out"
