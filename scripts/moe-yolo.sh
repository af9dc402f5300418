#!/bin/sh
# The dense-vs-MoE detection experiment (docs/results/moe-yolo.md), on the
# real-image detection set (goe-data detection). Every run is resumable: it
# checkpoints each epoch, and running this script again continues where it
# stopped. Each model is trained with the same budget (epochs x images),
# compiled with its weights, run by the runtime on the val images
# (goe-detect, boxes mapped back to the images' pixels) and scored by
# goe-eval; the table collects mAP, MACs and images/s.
#
#   scripts/moe-yolo.sh [RUN ...]     runs: dense moe2 moe1 moe2-nobalance
#
# Settings (environment): SIZE (224), TRAIN (2000 images), VAL (500),
# EPOCHS (12), BATCH (16), THREADS (1), OUT (runs/moe-yolo), BIN (build/bin).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
OUT=${OUT:-runs/moe-yolo}
SIZE=${SIZE:-224}
TRAIN=${TRAIN:-2000}
VAL=${VAL:-500}
EPOCHS=${EPOCHS:-12}
BATCH=${BATCH:-16}
THREADS=${THREADS:-1}
DATA=data/detection
RUNS=${*:-dense moe2 moe1 moe2-nobalance}

[ -f $DATA/data.yaml ] || $BIN/goe-data detection --out $DATA

# The first VAL val images, as a YOLO set of their own for goe-eval.
EVAL=$OUT/val$VAL
if [ ! -f $EVAL/data.yaml ]; then
  mkdir -p $EVAL/images/val $EVAL/labels/val
  ls $DATA/images/val | sort | head -n $VAL | while read -r f; do
    ln -sf "$PWD/$DATA/images/val/$f" $EVAL/images/val/$f
    cp $DATA/labels/val/"${f%.*}".txt $EVAL/labels/val/
  done
  printf 'train: images/val\nval: images/val\n' > $EVAL/data.yaml
  grep -E '^(nc|names):' $DATA/data.yaml >> $EVAL/data.yaml
fi

for run in $RUNS; do
  case $run in
    dense) SPEC=examples/yolov7_tiny/dense.yaml; EXTRA="" ;;
    moe2) SPEC=examples/moe_yolov7_tiny/moe.yaml; EXTRA="--var k=2" ;;
    moe1) SPEC=examples/moe_yolov7_tiny/moe.yaml; EXTRA="--var k=1" ;;
    moe2-nobalance) SPEC=examples/moe_yolov7_tiny/moe.yaml
                    EXTRA="--var k=2 --balance-weight 0" ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
  R=$OUT/$run
  mkdir -p $R
  RESUME=""
  [ -f $R/ckpt.pt ] && RESUME="--resume $R/ckpt.pt"
  VARS="--var nc=20 --var size=$SIZE $(echo $EXTRA | grep -o -- '--var k=[0-9]' || true)"
  # yolov7-tiny's hyper-parameters where goe-train has them (docs/training.md).
  $BIN/goe-train $SPEC $VARS $EXTRA --dataset yolo --data $DATA --objective yolo \
    --max-train $TRAIN --max-val $VAL --batch $BATCH --epochs $EPOCHS \
    --optimizer sgd --lr 0.01 --momentum 0.937 --nesterov --weight-decay 0.0005 \
    --schedule cosine --min-lr-factor 0.01 --warmup-epochs 2 --seed 0 \
    --threads $THREADS --checkpoint $R/ckpt.pt --csv $R/epochs.csv \
    --out $R/weights.goew $RESUME > $R/train.log
  $BIN/goe-compile $SPEC $VARS --weights $R/weights.goew -o $R/model.goe
  $BIN/goe-compile $SPEC $VARS --emit=paths > $R/paths.txt
  $BIN/goe-detect $R/model.goe $EVAL/images/val --out $R/detect --conf 0.001 \
    --iou 0.65 --batch 8 > $R/detect.log
  $BIN/goe-eval --data $EVAL/data.yaml --dt $R/detect/detections.json --json \
    > $R/eval.json
  $BIN/goe-eval --data $EVAL/data.yaml --dt $R/detect/detections.json \
    > $R/eval.txt
  # Per scene style: AP and (MoE) the experts goe-detect reported.
  python3 scripts/moe_yolo_scenes.py $DATA/scenes.csv $EVAL $R --bin $BIN \
    > $R/scenes.md
  echo "$run: $(cat $R/eval.json)"
done
