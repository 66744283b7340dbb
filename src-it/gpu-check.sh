#!/usr/bin/env bash
# The Arquillian suite on the accelerated engine (dossier.engine=onnx), for a GPU machine:
# builds the WAR, then runs src-it's GPU executions only (the journeys and the restart, with the
# server started with DOSSIER_ENGINE=onnx). It needs an NVIDIA GPU (nvidia-smi) and ONNX Runtime's
# CUDA provider, libonnxruntime_providers_cuda.so, found in $DOSSIER_ONNXRUNTIME_LIB (a file or
# folder), $LD_LIBRARY_PATH, ~/.djl.ai or an onnxruntime_gpu jar in ~/.m2, and PostgreSQL on
# 127.0.0.1:5432 like ./run-tests.
#
# Exit status: 0 when the GPU suite ran and passed; 1 when it failed; 3 when it was skipped
# (the reason is printed): a skipped suite is never reported as a pass.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source bin/java25.sh

echo "gpu-check: GPUs:" >&2
nvidia-smi -L >&2 || echo "gpu-check: nvidia-smi failed or is missing (the suite will report why it skips)" >&2

./mvnw -B -ntp -DskipTests -Ddossier.runnable.skip=true install -pl webapp -am
status=0
./mvnw -B -ntp verify -pl src-it -Darq.skip.cpu=true "$@" || status=$?

reports=src-it/target/failsafe-reports-gpu
completed=0
skipped=0
for summary in "$reports"/failsafe-summary-*.xml; do
  [ -f "$summary" ] || continue
  completed=$((completed + $(sed -n 's:.*<completed>\([0-9]*\)</completed>.*:\1:p' "$summary")))
  skipped=$((skipped + $(sed -n 's:.*<skipped>\([0-9]*\)</skipped>.*:\1:p' "$summary")))
done
echo "gpu-check: GPU suite: $completed tests, $skipped skipped, maven exit $status" >&2
if [ "$completed" -gt 0 ] && [ "$skipped" -eq "$completed" ]; then
  echo "gpu-check: SKIPPED, not passed:" >&2
  grep -ho 'skipped message="[^"]*"' "$reports"/TEST-*.xml | sort -u | sed 's/^skipped message=/  /' >&2
  exit 3
fi
[ "$status" -eq 0 ] || exit 1
[ "$completed" -gt 0 ] || { echo "gpu-check: no GPU test ran" >&2; exit 1; }
echo "gpu-check: the GPU suite passed" >&2
