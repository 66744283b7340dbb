#!/usr/bin/env bash
# Packs what the GPU check needs into target/gpu-kit (run HERE, on a machine with the JDK and
# Maven): the GPU machine has CUDA but no Java and no network. The kit holds a trimmed Java 25
# runtime (jlink), the runtime jar without its CPU natives, ONNX Runtime's GPU build of
# libonnxruntime.so and its JNI glue (from the onnxruntime_gpu jar), the stories260K model and
# check.sh. The CUDA provider itself (libonnxruntime_providers_cuda.so, 369 MB) does not fit the
# device tool's 64 MiB carry; check.sh finds it on the GPU machine. The kit travels as one
# kit.tar.xz beside check.sh.
# Then, with the device tool: run --carry target/gpu-kit --command 'bash target/gpu-kit/check.sh'
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source bin/java25.sh
ort_version=$(./mvnw -B -q -ntp help:evaluate -Dexpression=onnxruntime.version -DforceStdout -N)
out=target/gpu-kit
kit=target/gpu-kit-staging
rm -rf "$out" "$kit" && mkdir -p "$out" "$kit/lib"

./mvnw -B -q -ntp -pl model-runtime -am -DskipTests package
cp model-runtime/target/dossier-runtime.jar "$kit/dossier-runtime.jar"
zip -q -d "$kit/dossier-runtime.jar" 'ai/onnxruntime/native/*' >/dev/null

./mvnw -B -q -ntp dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:$ort_version"
gpu_jar="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/$ort_version/onnxruntime_gpu-$ort_version.jar"
unzip -q -j -o "$gpu_jar" 'ai/onnxruntime/native/linux-x64/libonnxruntime.so' \
  'ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so' \
  'ai/onnxruntime/native/linux-x64/libonnxruntime_providers_shared.so' -d "$kit/lib"
echo "$ort_version" > "$kit/lib/ONNXRUNTIME_VERSION"

"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.incubator.vector,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$kit/jre" 2>/dev/null
strip --strip-unneeded "$kit/jre/lib/server/libjvm.so" "$kit"/lib/*.so 2>/dev/null || true

cp ../shared/models/stories260K.gguf "$kit/"
# xz brings 75 MB down under the carry limit; check.sh unpacks it on the GPU machine.
tar -C "$kit" -cJf "$out/kit.tar.xz" .
rm -rf "$kit"
cp gpu/check.sh "$out/"
du -sh "$out"
