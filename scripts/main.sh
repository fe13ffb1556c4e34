#!/usr/bin/env bash
# The main job: install, build, then show LeNet-5 and run it on Fashion-MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build/convnet summary lenet5
