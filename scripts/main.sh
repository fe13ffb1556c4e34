#!/usr/bin/env bash
# The main job: install, build, then train LeNet-5 on Fashion-MNIST (10 epochs, Adam), print the
# test accuracy and confusion matrix, and save the model to lenet5.safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build/convnet summary lenet5
build/convnet train --model lenet5 --data fashion-mnist --epochs 10 --seed 1 \
  --out lenet5.safetensors --history lenet5-history.json "$@"
