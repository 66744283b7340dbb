package dev.dossier.runtime.gguf;

import java.util.Arrays;

/**
 * One tensor's entry in a GGUF header.
 *
 * @param dimensions ggml order: {@code dimensions[0]} is the innermost (row length)
 * @param dataOffset absolute byte offset of the tensor's data in the file
 */
public record GgufTensorInfo(String name, long[] dimensions, GgmlType type, long dataOffset) {

    public long elementCount() {
        long count = 1;
        for (long d : dimensions) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    /** Length of one row (the innermost dimension). */
    public long rowLength() {
        return dimensions.length == 0 ? 1 : dimensions[0];
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dimensions);
    }
}
