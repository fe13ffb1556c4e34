#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: every test but the CTest label "slow" (the long
# trainings, which `ctest --test-dir build -L slow` runs on demand), then the file readers' hostile-
# input tests again under AddressSanitizer and UBSan, where an out-of-bounds read would show.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh
ctest --test-dir build -LE slow --output-on-failure -j"$(nproc)"

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCONVNET_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" --target convnet_tests convnet_cli
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan -R 'Hostile|Safetensors|ModelFile|Idx|Npy|ImageFolder|OnnxErrors' \
  --output-on-failure -j"$(nproc)"
