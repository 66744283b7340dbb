#!/usr/bin/env bash
# The onnx engine on a GPU, in one go (run THERE, from the kit gpu/pack.sh made):
#   1. compare-engines on stories260K and on a random model of the TinyLlama 1.1B shape (Q4_0):
#      the CUDA-run onnx engine's logits and greedy text against the Java engine's, with DCA and
#      plain RoPE, below, at and beyond the chunk length;
#   2. bench --engine java,onnx on the TinyLlama-shape model (512-token prompt, 64 decoded).
# Java: the kit's jre/, else $JAVA_HOME or java on PATH (25+). CUDA provider
# (libonnxruntime_providers_cuda.so, same ONNX Runtime version as the kit): $DOSSIER_ORT_CUDA_LIB,
# else searched in pip site-packages, /usr/lib, /usr/local and /opt.
# Exit status: 0 all passed; 1 a check failed; 3 skipped (no GPU or no CUDA provider; reason printed).
# `check.sh --rehearse` runs the same steps on ONNX Runtime's CPU provider, to try the kit anywhere.
set -uo pipefail
device=cuda
[ "${1:-}" = "--rehearse" ] && device=cpu
here="$(cd "$(dirname "$0")" && pwd)"
say() { echo "gpu-check: $*" >&2; }
kit=$(mktemp -d)
tar -C "$kit" -xJf "$here/kit.tar.xz" || { say "FAILED: cannot unpack $here/kit.tar.xz (run gpu/pack.sh first)"; exit 1; }

if [ "$device" = cuda ] && ! nvidia-smi -L >&2; then say "SKIPPED: no NVIDIA GPU (nvidia-smi failed)"; exit 3; fi

java="$kit/jre/bin/java"
[ -x "$java" ] || java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
[ -x "${java:-}" ] || java="$(command -v java || true)"
[ -x "${java:-}" ] || { say "SKIPPED: no Java runtime (the kit's jre/ is missing)"; exit 3; }

version=$(cat "$kit/lib/ONNXRUNTIME_VERSION")
cuda_lib="${DOSSIER_ORT_CUDA_LIB:-}"
if [ -z "$cuda_lib" ] && [ "$device" = cuda ]; then
  cuda_lib=$(find / -xdev \( -path /proc -o -path /sys \) -prune -o -name libonnxruntime_providers_cuda.so -print 2>/dev/null | head -1)
fi
if [ "$device" = cuda ] && { [ -z "$cuda_lib" ] || [ ! -f "$cuda_lib" ]; }; then
  say "SKIPPED: ONNX Runtime's CUDA provider (libonnxruntime_providers_cuda.so, version $version) is not on this machine;"
  say "         install onnxruntime-gpu==$version or set DOSSIER_ORT_CUDA_LIB"
  exit 3
fi
natives=$(mktemp -d)
cp "$kit"/lib/*.so "$natives/"
[ -n "$cuda_lib" ] && ln -s "$cuda_lib" "$natives/libonnxruntime_providers_cuda.so"
say "java: $java; ONNX Runtime $version; device: $device; CUDA provider: ${cuda_lib:-none}"

run() {
  "$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    -Donnxruntime.native.path="$natives" -Ddossier.onnx.device=$device -jar "$kit/dossier-runtime.jar" "$@" \
    2> >(grep -v -e '^WARNING' -e '^SLF4J' >&2)
}
status=0
work=$(mktemp -d)
say "1/3 compare-engines, stories260K (DCA defaults: CS 384, LS 64)"
run compare-engines --model "$kit/stories260K.gguf" || status=1
say "2/3 compare-engines, random TinyLlama-shape Q4_0 (CS 256, LS 64 keeps the Java reference quick)"
run make-model --out "$work/tiny-q4.gguf" --type Q4_0 >&2 || status=1
run compare-engines --model "$work/tiny-q4.gguf" --chunk-size 256 --local-window 64 --greedy-tokens 16 || status=1
say "3/3 bench, java and onnx side by side"
run bench --model "$work/tiny-q4.gguf" --engine java,onnx --prompt-tokens 512 --gen-tokens 64 --threads "$(nproc)" || status=1
rm -rf "$work" "$natives" "$kit"
[ "$status" -eq 0 ] && say "PASSED" || say "FAILED"
exit "$status"
