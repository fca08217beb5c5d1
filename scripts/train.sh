#!/usr/bin/env bash
# Trains a model unless one already matches the current config, data, catalog and NLU code.
# Prints the model's path on the last line. With --check it only prints that path and exits 0 if the
# model exists, 3 if this would train (so callers such as scripts/evaluate.py can avoid a training).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
inputs=("$SHOUZI_CONFIG" requirements.lock)
while IFS= read -r f; do inputs+=("$f"); done < <(find bot/domain nlu_data bot/catalog/data bot/nlu bot/adapters/nlu bot/routing/department_model.py -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.txt' \) | LC_ALL=C sort)
hash=$(cat "${inputs[@]}" | sha256sum | cut -c1-12)
name="shouzi-$(basename "$SHOUZI_CONFIG" .yml)-$hash"
model="$SHOUZI_MODELS/$name.tar.gz"
if [ "${1:-}" = "--check" ]; then
  echo "$model"
  if [ -f "$model" ]; then exit 0; else exit 3; fi
fi
mkdir -p "$SHOUZI_MODELS"
# One training at a time on this machine (2 cores), ours or the benchmark baseline: a second caller waits,
# then finds the model made.
exec 9>"${SHOUZI_TRAIN_LOCK:-/tmp/shouzi-train.lock}"
flock 9
if [ -f "$model" ]; then
  echo "==> 模型已是最新 / model is up to date: $model" >&2
else
  echo "==> 训练模型 / training $model" >&2
  .venv/bin/python -m bot.nlu.dictionary build/jieba >&2
  start=$(date +%s)
  .venv/bin/rasa train --config "$SHOUZI_CONFIG" --domain bot/domain --data nlu_data \
    --out "$SHOUZI_MODELS" --fixed-model-name "$name" --quiet >&2
  echo "==> 训练用时 / trained in $(( $(date +%s) - start )) s" >&2
fi
echo "$model"
