package dev.dossier.runtime.gguf;

/**
 * The types of GGUF metadata values, with their ids. {@link GgufFile} hands values back as
 * Java objects: the 8- to 32-bit integers (but uint32) as {@code Integer}, uint32 and the 64-bit
 * integers as {@code Long}, floats as {@code Float}/{@code Double}; arrays as {@code int[]},
 * {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]} or {@code String[]}
 * following the same mapping.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    public int id() {
        return id;
    }

    /** The fewest bytes a value of this type takes in a file (a string or array may take more). */
    public int minBytes() {
        return minBytes;
    }
}
