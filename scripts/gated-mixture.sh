#!/bin/sh
# The hierarchical gated mixture on Fashion-MNIST (docs/results/gated-mixture.md):
# the labs' staged schedule against the baseline alone at the same number of
# epochs, and against the same mixture trained end to end. Each run
# checkpoints every epoch; running the script again continues where it
# stopped. The staged mixture is compiled with its weights and run by the
# runtime on the test split, whose accuracy must equal LibTorch's.
#
#   scripts/gated-mixture.sh [RUN ...]     runs: staged baseline joint experts6
#
# Settings (environment): EPOCHS (12: the staged run's 4 + 2 + 4 + 2),
# THREADS (1), OUT (runs/gated-mixture), BIN (build/bin), SEED (0).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
OUT=${OUT:-runs/gated-mixture}
EPOCHS=${EPOCHS:-12}
THREADS=${THREADS:-1}
SEED=${SEED:-0}
SPEC=examples/gated_mixture/fashion_mnist.yaml
RUNS=${*:-staged baseline joint}
mkdir -p $OUT

train() { # NAME FLAGS...: resumable goe-train, its log in $OUT/NAME.log
  name=$1
  shift
  [ -f $OUT/$name.goew ] && return 0
  resume=""
  [ -f $OUT/$name.ck ] && resume="--resume $OUT/$name.ck"
  OMP_NUM_THREADS=$THREADS $BIN/goe-train $SPEC --dataset fashion_mnist \
    --threads $THREADS --seed $SEED --checkpoint $OUT/$name.ck \
    --csv $OUT/$name.csv --out $OUT/$name.goew $resume "$@" \
    2>&1 | tee -a $OUT/$name.log
}

for run in $RUNS; do
  case $run in
  staged) # the spec's four stages
    train staged --export-split test --export-dir $OUT/test \
      --test-output $OUT/staged-torch.npy
    $BIN/goe-compile $SPEC --weights $OUT/staged.goew -o $OUT/staged.goe
    $BIN/goe-run $OUT/staged.goe --input image=$OUT/test/image.npy \
      --labels $OUT/test/labels.npy --output $OUT/staged-compiled.npy \
      --profile 2>&1 | tee $OUT/staged-run.log
    ;;
  baseline) # the baseline alone, for every epoch of the staged run
    train baseline --stages baseline --stage-epochs baseline=$EPOCHS ;;
  experts6) # the same 12 epochs, more of them for the experts
    train experts6 --stage-epochs baseline=3,gate=1,experts=6,subgates=2 \
      --export-split test --export-dir $OUT/test \
      --test-output $OUT/experts6-torch.npy
    $BIN/goe-compile $SPEC --weights $OUT/experts6.goew -o $OUT/experts6.goe
    $BIN/goe-run $OUT/experts6.goe --input image=$OUT/test/image.npy \
      --labels $OUT/test/labels.npy 2>&1 | tee $OUT/experts6-run.log
    ;;
  joint) # the whole mixture as one stage: everything learns at once
    train joint --stages none --epochs $EPOCHS ;;
  *) echo "unknown run '$run' (staged, baseline, joint, experts6)" >&2; exit 2 ;;
  esac
done
