#!/bin/sh
# Top-1 gating over whole backbones (examples/backbone_gating/detection.yaml,
# docs/results/backbone-gating.md) on the real-image detection set:
#   1. the general stage trains backbone 0 + the shared head on every image:
#      the dense YOLOv7-tiny, with moe-yolo.sh's budget and hyper-parameters;
#   2. that detector alone (goe-compile --router general_only) is run on the
#      val images; its confusion matrix (goe-eval --confusion) names the
#      GROUP classes it confuses most (scripts/confusion.py), unless CLASSES
#      gives them; they become the expert's group in $OUT/spec.yaml;
#   3. the expert stage (backbone 1, started from backbone 0, on the images
#      showing one of those classes) and the gate stage train;
#   4. the gated model, the general detector alone and the expert alone are
#      compiled from the same weights, run (goe-detect) and scored per class
#      (goe-eval --per-class); the table compares them on the expert's
#      classes and overall ($OUT/table.md), the compiled gated model is
#      checked box by box against LibTorch ($OUT/check.log).
# Every step resumes: the training checkpoints each epoch, and running the
# script again continues where it stopped. The general stage is a run of
# its own ($OUT/ckpt-general.pt, $OUT/general.goew); the expert and gate
# stages start from general.goew (goe-train --init-weights), so a rerun of
# them needs only that file in $OUT.
#
# Settings (environment): SIZE (224), TRAIN (2000 images), VAL (500),
# BATCH (16), THREADS (1), GENERAL (12 epochs), EXPERT (6), GATE (3),
# GROUP (4 classes), CLASSES (the expert's classes, comma-separated; default:
# from the confusion matrix), OUT (runs/backbone-gating), BIN (build/bin).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
OUT=${OUT:-runs/backbone-gating}
SIZE=${SIZE:-224}
TRAIN=${TRAIN:-2000}
VAL=${VAL:-500}
BATCH=${BATCH:-16}
THREADS=${THREADS:-1}
GENERAL=${GENERAL:-12}
EXPERT=${EXPERT:-6}
GATE=${GATE:-3}
GROUP=${GROUP:-4}
CLASSES=${CLASSES:-}
DATA=data/detection
SPEC=examples/backbone_gating/detection.yaml
mkdir -p $OUT

[ -f $DATA/data.yaml ] || $BIN/goe-data detection --out $DATA

# The first VAL val images, as a YOLO set of their own for goe-eval.
EVAL=$OUT/val$VAL
scripts/val-subset.sh $DATA $VAL $EVAL

VARS="--var nc=20 --var size=$SIZE"
# yolov7-tiny's hyper-parameters where goe-train has them, as moe-yolo.sh;
# each stage gets its own warm-up and cosine schedule.
TRAIN_ARGS="$VARS --dataset yolo --data $DATA --objective yolo \
  --max-train $TRAIN --max-val $VAL --batch $BATCH \
  --stage-epochs general=$GENERAL,expert=$EXPERT,gate=$GATE \
  --optimizer sgd --lr 0.01 --momentum 0.937 --nesterov --weight-decay 0.0005 \
  --schedule cosine --min-lr-factor 0.01 --warmup-epochs 2 --seed 0 \
  --threads $THREADS --csv $OUT/epochs.csv"
# resume CHECKPOINT [INIT.goew]: continue that run, or start it (from INIT).
resume() {
  if [ -f $1 ]; then echo "--checkpoint $1 --resume $1"
  else echo "--checkpoint $1 ${2:+--init-weights $2}"; fi
}

# detect NAME WEIGHTS [goe-compile options]: compile, run on the val
# images, score per class (and the confusion matrix).
detect() {
  name=$1 spec=$2 weights=$3
  shift 3
  E=$OUT/$name
  mkdir -p $E
  $BIN/goe-compile $spec $VARS "$@" --weights $weights -o $E/model.goe
  $BIN/goe-compile $spec $VARS "$@" --emit=paths > $E/paths.txt
  $BIN/goe-detect $E/model.goe $EVAL/images/val --out $E/detect --conf 0.001 \
    --iou 0.65 --batch 8 > $E/detect.log
  $BIN/goe-eval --data $EVAL/data.yaml --dt $E/detect/detections.json \
    --per-class --confusion $E/confusion.csv --json > $E/eval.json
  $BIN/goe-eval --data $EVAL/data.yaml --dt $E/detect/detections.json \
    --per-class > $E/eval.txt
  $BIN/goe-run $E/model.goe --random-input 32 --batch 8 --threads 1 \
    > $E/speed.txt
}

# 1. The general detector.
[ -f $OUT/general.goew ] && [ ! -f $OUT/ckpt-general.pt ] ||
  $BIN/goe-train $SPEC $TRAIN_ARGS --stages general --out $OUT/general.goew \
    $(resume $OUT/ckpt-general.pt) >> $OUT/train.log

# 2. Its confusions pick the expert's classes.
detect general $SPEC $OUT/general.goew --router general_only
python3 scripts/confusion.py $OUT/general/confusion.csv --top 10 \
  --group $GROUP --svg $OUT/confusion.svg > $OUT/confusion.txt
cat $OUT/confusion.txt
if [ -z "$CLASSES" ]; then
  CLASSES=$(sed -n 's/^group: \[\([0-9, ]*\)\].*/\1/p' $OUT/confusion.txt | tr -d ' ')
fi
python3 - "$CLASSES" $SPEC $OUT/spec.yaml <<'EOF'
import re, sys
chosen = sorted({int(c) for c in sys.argv[1].split(",")})
others = [c for c in range(20) if c not in chosen]
text = open(sys.argv[2], encoding="utf-8").read()
line = "    route: [%s, %s]" % (others, chosen)
text, n = re.subn(r"(?m)^    route: \[\[.*\]\]$", line, text)
if n != 1:
    sys.exit("backbone-gating.sh: no groups line in " + sys.argv[2])
open(sys.argv[3], "w", encoding="utf-8").write(text)
EOF
echo "expert classes: $CLASSES"

# 3. The expert and the gate, from the general stage's weights.
LATER="--stages expert,gate"
$BIN/goe-train $OUT/spec.yaml $TRAIN_ARGS $LATER --out $OUT/weights.goew \
  $(resume $OUT/ckpt.pt $OUT/general.goew) >> $OUT/train.log

# 4. The three models from the same weights, and the table.
detect gated $OUT/spec.yaml $OUT/weights.goew
detect general $OUT/spec.yaml $OUT/weights.goew --router general_only
detect expert $OUT/spec.yaml $OUT/weights.goew --router expert_only
$BIN/goe-train $OUT/spec.yaml $TRAIN_ARGS $LATER --resume $OUT/ckpt.pt \
  --check-compiled $OUT/gated/model.goe > $OUT/check.log || true
grep "compiled check" $OUT/check.log || tail -1 $OUT/check.log
python3 scripts/confusion.py $OUT/gated/confusion.csv --top 10 \
  --svg $OUT/confusion-gated.svg > $OUT/confusion-gated.txt
python3 scripts/backbone_gating_table.py $OUT "$CLASSES" $EVAL > $OUT/table.md
cat $OUT/table.md
