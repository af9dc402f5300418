#!/bin/sh
# The dense-vs-MoE detection experiment (docs/results/moe-yolo.md), on the
# real-image detection set (goe-data detection). Every run is resumable: it
# checkpoints each epoch, and running this script again continues where it
# stopped. Each model is trained with the same budget (epochs x images),
# compiled with its weights, run by the runtime on the val images
# (goe-detect, boxes mapped back to the images' pixels) and scored by
# goe-eval; the table collects mAP, MACs and images/s ($OUT/table.csv, one
# row per model, replaced when it is evaluated again), and the figure
# $OUT/moe-yolo.svg plots them. Each trained model is also checked box by
# box against LibTorch (goe-train --check-compiled, $OUT/RUN/check.log).
# The trained moe2 weights are evaluated twice more: with the nms combine
# in place of wbf (moe2-nms) and with random routing (moe2-random).
#
#   scripts/moe-yolo.sh [RUN ...]     runs: dense moe2 moe1 moe2-nobalance
#
# Settings (environment): SIZE (224), TRAIN (2000 images), VAL (500),
# EPOCHS (12), BATCH (16), THREADS (1), OUT (runs/moe-yolo), BIN (build/bin),
# and for the MoE runs BALANCE (0.16) and ZLOSS (0.016). yolov7's loss is
# multiplied by the batch (16), so the router's terms are too: the Switch
# balance weight 0.01 and ST-MoE's z-loss 0.001 times 16.
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
BALANCE=${BALANCE:-0.16}
ZLOSS=${ZLOSS:-0.016}
DATA=data/detection
RUNS=${*:-dense moe2 moe1 moe2-nobalance}

[ -f $DATA/data.yaml ] || $BIN/goe-data detection --out $DATA

# The first VAL val images, as a YOLO set of their own for goe-eval.
EVAL=$OUT/val$VAL
scripts/val-subset.sh $DATA $VAL $EVAL

# evaluate NAME SPEC VARS WEIGHTS [goe-compile options]: compile with the
# weights, detect on the val images, score, split by scene style, time it;
# a row of $OUT/table.csv.
evaluate() {
  name=$1 spec=$2 vars=$3 weights=$4
  shift 4
  E=$OUT/$name
  mkdir -p $E
  $BIN/goe-compile $spec $vars "$@" --weights $weights -o $E/model.goe
  $BIN/goe-compile $spec $vars "$@" --emit=paths > $E/paths.txt
  $BIN/goe-detect $E/model.goe $EVAL/images/val --out $E/detect --conf 0.001 \
    --iou 0.65 --batch 8 > $E/detect.log
  $BIN/goe-eval --data $EVAL/data.yaml --dt $E/detect/detections.json --json \
    > $E/eval.json
  $BIN/goe-eval --data $EVAL/data.yaml --dt $E/detect/detections.json \
    > $E/eval.txt
  # Per scene style: AP and (MoE) the experts goe-detect reported.
  python3 scripts/moe_yolo_scenes.py $DATA/scenes.csv $EVAL $E --bin $BIN \
    --usage-csv $E/usage.csv > $E/scenes.md
  # The network's speed on this machine: one thread, batch 8.
  $BIN/goe-run $E/model.goe --random-input 32 --batch 8 --threads 1 \
    --profile > $E/speed.txt
  grep -v "^$name," $OUT/table.csv > $OUT/table.csv.tmp || true
  python3 scripts/moe_yolo_row.py $name $E >> $OUT/table.csv.tmp
  mv $OUT/table.csv.tmp $OUT/table.csv
  echo "$name: $(cat $E/eval.json)"
}

[ -f $OUT/table.csv ] || echo "model,mAP50,mAP50_95,MMACs,images_per_s" > $OUT/table.csv

for run in $RUNS; do
  case $run in
    dense) SPEC=examples/yolov7_tiny/dense.yaml; EXTRA="" ;;
    moe2) SPEC=examples/moe_yolov7_tiny/moe.yaml
          EXTRA="--var k=2 --balance-weight $BALANCE --z-loss $ZLOSS" ;;
    moe1) SPEC=examples/moe_yolov7_tiny/moe.yaml
          EXTRA="--var k=1 --balance-weight $BALANCE --z-loss $ZLOSS" ;;
    moe2-nobalance) SPEC=examples/moe_yolov7_tiny/moe.yaml
                    EXTRA="--var k=2 --balance-weight 0 --z-loss $ZLOSS" ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
  R=$OUT/$run
  mkdir -p $R
  RESUME=""
  [ -f $R/ckpt.pt ] && RESUME="--resume $R/ckpt.pt"
  VARS="--var nc=20 --var size=$SIZE $(echo $EXTRA | grep -o -- '--var k=[0-9]' || true)"
  # yolov7-tiny's hyper-parameters where goe-train has them (docs/training.md).
  TRAIN_ARGS="$VARS $EXTRA --dataset yolo --data $DATA --objective yolo \
    --max-train $TRAIN --max-val $VAL --batch $BATCH --epochs $EPOCHS \
    --optimizer sgd --lr 0.01 --momentum 0.937 --nesterov --weight-decay 0.0005 \
    --schedule cosine --min-lr-factor 0.01 --warmup-epochs 2 --seed 0 \
    --threads $THREADS"
  $BIN/goe-train $SPEC $TRAIN_ARGS --checkpoint $R/ckpt.pt --csv $R/epochs.csv \
    --out $R/weights.goew $RESUME >> $R/train.log
  evaluate $run $SPEC "$VARS" $R/weights.goew
  # The compiled model against LibTorch, box by box on the val images (the
  # finished run resumed: nothing trains).
  $BIN/goe-train $SPEC $TRAIN_ARGS --resume $R/ckpt.pt \
    --check-compiled $R/model.goe > $R/check.log || true
  grep "compiled check" $R/check.log || tail -1 $R/check.log
  if [ $run = moe2 ]; then
    # Inference-time variants of the same weights: NMS over both experts'
    # boxes in place of WBF, and random routing (two experts per image at
    # random, weight 1/2 each).
    sed 's/combine: wbf, from: heads, iou: 0.55, conf_type: avg,/combine: nms, from: heads,/' \
      $SPEC > $OUT/moe-nms.yaml
    evaluate moe2-nms $OUT/moe-nms.yaml "$VARS" $R/weights.goew
    evaluate moe2-random $SPEC "$VARS" $R/weights.goew --router random_pick
  fi
done

# The figure: mAP@0.5 against MACs for every model so far, and the trained
# top-2 MoE's expert usage per scene style.
USAGE=""
[ -f $OUT/moe2/usage.csv ] && USAGE="--usage top-2+WBF=$OUT/moe2/usage.csv"
python3 scripts/plot_moe_yolo.py $OUT/table.csv $OUT/moe-yolo.svg $USAGE
