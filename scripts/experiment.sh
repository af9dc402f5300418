#!/usr/bin/env bash
# The rotated-MNIST experiment of the Graph of Experts (issue 4): for each
# param factor p and protocol, train and evaluate
#   ref            Ref (examples/rotated_mnist/ref.yaml: one path, no routing)
#   oracle         GoE, oracle router (the rotation group picks the path)
#   latent         GoE, latent VQ-VAE router (goe-train --router latent)
#   oracle-random  the oracle-trained GoE, random routing at inference
#   latent-random  the latent-trained GoE, random routing at inference
#   cluster        GoE, cluster_gate router (goe-train --router clusters:
#                  k-means of image statistics, a gate taught the clusters)
# Every accuracy is the *compiled* model's (goe-compile, then goe-run on the
# exported test split); MACs per input come from goe-compile --emit=paths
# (path + router); the learned routers' test routing purity from goe-train.
# The compiled model's test predictions are compared with LibTorch's.
#
# usage: scripts/experiment.sh [--quick] [--p "2 4 8 24"] [--protocol seed|full|both]
#                              [--epochs N] [--patience N] [--out DIR] [--csv FILE]
#                              [--bin DIR] [--data DIR] [--models "ref oracle ..."]
#   --epochs N, --patience N   at most N epochs (default 50), stopping once
#               --patience epochs (default 5) bring no better validation
#               loss; the weights of the best validation loss are kept
#   --quick     a tiny run for tests: p = 2, seed's sizes, 2,000 training
#               images, 2 epochs (1 for the VQ-VAE), one random-routing seed
#   --protocol  seed: the seed's split sizes (8,400 / 2,400 / 1,200);
#               full: the digit-disjoint 70/20/10 split; both (default)
#   --out DIR   where runs go (default build/experiments/rotated-mnist).
#               Finished runs are kept and skipped: rerunning resumes.
#   --models    which of the models above to run (default: all six)
#   --csv FILE  the CSV of every finished row under DIR (default
#               DIR/rotated-mnist.csv); the markdown table goes beside it (.md)
# Training uses one thread (goe-train's default --threads 1; OMP too).
set -euo pipefail
cd "$(dirname "$0")/.."

ps_list="2 4 8 24"
protocols="seed full"
epochs=50
patience=5
router_epochs=10
max_train=""
random_seeds="1 2 3"
models="ref oracle latent oracle-random latent-random cluster"
out=build/experiments/rotated-mnist
csv=""
bin=build/bin
data=data/mnist

die() { echo "experiment.sh: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ps_list="2"; protocols="seed"; epochs=2; patience=0; router_epochs=1
             max_train="--max-train 2000"; random_seeds="1" ;;
    --p) [ $# -ge 2 ] || die "--p wants a list, e.g. --p \"2 4\""
         ps_list="$2"; shift ;;
    --protocol) [ $# -ge 2 ] || die "--protocol wants seed, full or both"
         case "$2" in seed|full) protocols="$2" ;; both) protocols="seed full" ;;
           *) die "--protocol wants seed, full or both, got '$2'" ;; esac; shift ;;
    --epochs) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--epochs wants a positive integer"
         epochs="$2"; shift ;;
    --patience) [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || die "--patience wants a non-negative integer"
         patience="$2"; shift ;;
    --out) [ $# -ge 2 ] || die "--out wants a directory"; out="$2"; shift ;;
    --csv) [ $# -ge 2 ] || die "--csv wants a file"; csv="$2"; shift ;;
    --bin) [ $# -ge 2 ] || die "--bin wants a directory"; bin="$2"; shift ;;
    --data) [ $# -ge 2 ] || die "--data wants a directory"; data="$2"; shift ;;
    --models) [ $# -ge 2 ] || die "--models wants a list, e.g. --models \"ref cluster\""
         models="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
for p in $ps_list; do
  [[ "$p" =~ ^[1-9][0-9]*$ ]] || die "--p wants positive integers, got '$p'"
done
for m in $models; do
  case "$m" in ref|oracle|latent|oracle-random|latent-random|cluster) ;;
    *) die "--models: unknown model '$m' (ref oracle latent oracle-random latent-random cluster)" ;; esac
done
want() { [[ " $models " == *" $1 "* ]]; }
for tool in goe-train goe-compile goe-run; do
  [ -x "$bin/$tool" ] || die "$bin/$tool not found (build it, or give --bin DIR)"
done
[ -d "$data" ] || die "no data directory '$data' (make deps fetches it)"
csv=${csv:-$out/rotated-mnist.csv}
mkdir -p "$out"
# Finished runs are reused only under the settings that made them.
settings="epochs=$epochs patience=$patience router_epochs=$router_epochs max_train=${max_train:-all} random_seeds=$random_seeds"
if [ -f "$out/settings.txt" ]; then
  [ "$(cat "$out/settings.txt")" = "$settings" ] ||
    die "$out holds runs made with '$(cat "$out/settings.txt")', not '$settings': use another --out"
else
  echo "$settings" > "$out/settings.txt"
fi
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

goe=examples/rotated_mnist/goe.yaml
ref=examples/rotated_mnist/ref.yaml
results="python3 scripts/experiment_results.py"
npy=tests/tools/Inputs/npy.py

# run LOG CMD...: runs CMD with its output in LOG; on failure shows the end
# of LOG and stops (a finished step's outputs are only ever renamed into
# place, so a stopped run resumes cleanly).
run() {
  local log=$1; shift
  if ! "$@" > "$log" 2>&1; then
    tail -5 "$log" >&2
    die "failed: $* (log: $log)"
  fi
}

now() { date +%s.%N; }

# train DIR SPEC P FLAGS...: goe-train into DIR (weights, LibTorch's test
# logits, log, seconds), unless DIR already has them.
train() {
  local dir=$1 spec=$2 p=$3; shift 3
  [ -f "$dir/weights.goew" ] && return 0
  mkdir -p "$dir"
  local start; start=$(now)
  run "$dir/train.log" "$bin/goe-train" "$spec" --data "$data" --var p="$p" \
    --epochs "$epochs" --patience "$patience" --threads 1 $sizes $max_train "$@" \
    --out "$dir/weights.tmp.goew" --test-output "$dir/torch.npy"
  python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
    "$start" "$(now)" > "$dir/train.seconds"
  mv "$dir/weights.tmp.goew" "$dir/weights.goew"
}

# evaluate ROW DIR SPEC P MODEL ROUTER: compile DIR's weights with ROUTER
# ("" = the spec's own), run the test split, write the CSV row ROW.
evaluate() {
  local row=$1 dir=$2 spec=$3 p=$4 model=$5 router=$6
  [ -f "$row" ] && return 0
  local flags=() inputs=(--input "image=$test/image.npy") name=${router:-own}
  [ -n "$router" ] && flags=(--router "$router")
  [ "$spec" = "$goe" ] && inputs+=(--input "group=$test/group.npy")
  run "$dir/paths-$name.txt" "$bin/goe-compile" "$spec" --var p="$p" "${flags[@]}" --emit=paths
  run "$dir/compile-$name.log" "$bin/goe-compile" "$spec" --var p="$p" "${flags[@]}" \
    --weights "$dir/weights.goew" -o "$dir/$name.goe"
  local runs=() extra=()
  if [ "$router" = random ]; then
    for seed in $random_seeds; do
      run "$dir/run-$name-$seed.log" "$bin/goe-run" "$dir/$name.goe" "${inputs[@]}" \
        --labels "$test/labels.npy" --seed "$seed"
      runs+=("$dir/run-$name-$seed.log")
    done
  else
    run "$dir/run-$name.log" "$bin/goe-run" "$dir/$name.goe" "${inputs[@]}" \
      --labels "$test/labels.npy" --output "$dir/run-$name.npy"
    # Compiled = trained: the same test predictions as LibTorch's.
    python3 "$npy" agree "$dir/torch.npy" "$dir/run-$name.npy" 0.999 \
      > "$dir/agree-$name.txt" || die "compiled and trained disagree: $dir/agree-$name.txt"
    runs=("$dir/run-$name.log")
    extra=(--train "$dir/train.log" --agree "$dir/agree-$name.txt")
  fi
  local joined; joined=$(IFS=,; echo "${runs[*]}")
  $results row --protocol "$protocol" --p "$p" --model "$model" --epochs "$epochs" \
    --paths "$dir/paths-$name.txt" --runs "$joined" --seconds "$(cat "$dir/train.seconds")" \
    "${extra[@]}" > "$row.tmp"
  mv "$row.tmp" "$row"
  echo "  $(cut -d, -f1-4,11,13 "$row")"
}

for protocol in $protocols; do
  sizes=""; [ "$protocol" = seed ] && sizes="--seed-sizes"
  base="$out/$protocol"
  test="$base/test"
  if [ ! -f "$test/labels.npy" ]; then
    mkdir -p "$base"
    run "$base/export.log" "$bin/goe-train" "$ref" --data "$data" --epochs 0 $sizes \
      --export-split test --export-dir "$test"
  fi
  for p in $ps_list; do
    echo "== $protocol, p = $p"
    d="$base/p$p"
    mkdir -p "$d/rows"
    if want ref; then
      train "$d/ref" "$ref" "$p"
      evaluate "$d/rows/1-ref.csv" "$d/ref" "$ref" "$p" ref ""
    fi
    if want oracle || want oracle-random; then train "$d/oracle" "$goe" "$p"; fi
    if want oracle; then
      evaluate "$d/rows/2-oracle.csv" "$d/oracle" "$goe" "$p" oracle ""
    fi
    if want latent || want latent-random; then
      train "$d/latent" "$goe" "$p" --router latent --router-epochs "$router_epochs"
    fi
    if want latent; then
      evaluate "$d/rows/3-latent.csv" "$d/latent" "$goe" "$p" latent latent
    fi
    if want oracle-random; then
      evaluate "$d/rows/4-oracle-random.csv" "$d/oracle" "$goe" "$p" oracle-random random
    fi
    if want latent-random; then
      evaluate "$d/rows/5-latent-random.csv" "$d/latent" "$goe" "$p" latent-random random
    fi
    if want cluster; then
      train "$d/cluster" "$goe" "$p" --router clusters --router-epochs "$router_epochs"
      evaluate "$d/rows/6-cluster.csv" "$d/cluster" "$goe" "$p" cluster clusters
    fi
  done
done

# Every finished row under --out, whatever this invocation ran.
{
  $results header
  for protocol in seed full; do
    for pdir in "$out/$protocol"/p*/; do
      if [ -d "$pdir/rows" ]; then echo "$(basename "$pdir" | tr -d p) $pdir"; fi
    done | sort -n | while read -r _ pdir; do
      cat "$pdir"/rows/*.csv 2>/dev/null || true
    done
  done
} > "$csv.tmp"
mv "$csv.tmp" "$csv"
$results table "$csv" > "${csv%.csv}.md"
echo
echo "wrote $csv and ${csv%.csv}.md"
cat "${csv%.csv}.md"
