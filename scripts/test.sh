#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (everything but the CTest label "slow", the long
# trainings, which `ctest --test-dir build -L slow` runs on demand).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh
ctest --test-dir build -LE slow --output-on-failure -j"$(nproc)"
