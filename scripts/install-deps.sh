#!/usr/bin/env bash
# Installs what convnet needs from Debian 12's packages (run as root).
#   scripts/install-deps.sh          build + run: compiler, CMake, OpenBLAS, CLI11, JSON, stb, ONNX/protobuf,
#                                    data (Fashion-MNIST; the DejaVu fonts convnet make-digits draws)
#   scripts/install-deps.sh --test   also GoogleTest, Google Benchmark, the Python reference stack
#                                    (PyTorch, torchvision, NumPy, SciPy, ONNX's checker, OpenCV's
#                                    dnn) the tests compare against, and Chromium, in which a test
#                                    opens the HTML training report
set -euo pipefail
packages=(build-essential cmake pkg-config libopenblas-dev libcli11-dev nlohmann-json3-dev
          libstb-dev zlib1g-dev libonnx-dev libprotobuf-dev
          dataset-fashion-mnist fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev python3-torch python3-torchvision
             python3-numpy python3-scipy python3-onnx python3-opencv chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
