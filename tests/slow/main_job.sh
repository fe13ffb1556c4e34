#!/usr/bin/env bash
# The issue's acceptance run: LeNet-5, 10 epochs on Fashion-MNIST with seed 1 must reach 89% test
# accuracy, and `convnet eval` on the saved file must report the same accuracy. Label "slow".
set -euo pipefail
cli=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cli" train --model lenet5 --data fashion-mnist --epochs 10 --seed 1 \
  --out "$dir/m.safetensors" --quiet | tee "$dir/train.txt"
trained=$(sed -n 's/^test accuracy: //p' "$dir/train.txt")
"$cli" eval --model "$dir/m.safetensors" --data fashion-mnist --json > "$dir/eval.json"
evaluated=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accuracy"])' "$dir/eval.json")
echo "train: $trained  eval: $evaluated"
/usr/bin/python3 - "$trained" "$evaluated" <<'PY'
import sys
trained, evaluated = map(float, sys.argv[1:])
assert trained >= 0.89, f"test accuracy {trained} < 0.89"
assert abs(trained - evaluated) < 1e-6, f"eval reports {evaluated}, training {trained}"
PY
