package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.gguf.GgufTensorInfo;
import dev.dossier.runtime.gguf.GgufValueType;
import dev.dossier.runtime.gguf.GgufWriter;
import dev.dossier.runtime.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

/** Writes a variant of a GGUF model: some metadata changed or dropped, tensors re-encoded or dropped. */
final class ModelRewriter {
    private ModelRewriter() {
    }

    /**
     * @param metadata   key, value -> the value to write (null drops the key)
     * @param tensorType tensor -> the type to write it as (null drops the tensor)
     */
    static void rewrite(Path source, Path target, BiFunction<String, Object, Object> metadata,
                        java.util.function.Function<GgufTensorInfo, GgmlType> tensorType) throws IOException {
        try (GgufFile file = GgufFile.open(source)) {
            GgufWriter writer = new GgufWriter();
            for (Map.Entry<String, Object> entry : file.metadata().entrySet()) {
                Object value = metadata.apply(entry.getKey(), entry.getValue());
                if (value != null) {
                    put(writer, entry.getKey(), value);
                }
            }
            for (GgufTensorInfo info : file.tensors().values()) {
                GgmlType type = tensorType.apply(info);
                if (type == null) {
                    continue;
                }
                float[] values = new float[Math.toIntExact(info.elementCount())];
                Tensors.of(info.type(), file.tensorData(info), values.length).dequantize(0, values, 0, values.length);
                writer.addTensor(info.name(), info.dimensions(), type, values);
            }
            writer.write(target);
        }
    }

    /** Every matrix whose rows are whole blocks of {@code type} becomes {@code type}; the rest stay F32. */
    static java.util.function.Function<GgufTensorInfo, GgmlType> quantizeMatrices(GgmlType type) {
        return info -> info.dimensions().length == 2 && info.rowLength() % type.blockSize() == 0 ? type : GgmlType.F32;
    }


    private static void put(GgufWriter writer, String key, Object value) {
        switch (value) {
            case String s -> writer.putString(key, s);
            case Integer i -> writer.putInt32(key, i);
            case Long l -> writer.putInt64(key, l);
            case Float f -> writer.putFloat32(key, f);
            case Double d -> writer.putFloat64(key, d);
            case Boolean b -> writer.putBool(key, b);
            case String[] a -> writer.putStringArray(key, a);
            case float[] a -> writer.putFloat32Array(key, a);
            case int[] a -> writer.putInt32Array(key, a);
            case long[] a -> writer.putArray(key, GgufValueType.INT64, a);
            default -> throw new IllegalArgumentException("cannot copy metadata '" + key + "' of " + value.getClass());
        }
    }
}
