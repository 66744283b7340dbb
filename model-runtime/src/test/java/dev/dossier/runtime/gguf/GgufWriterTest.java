package dev.dossier.runtime.gguf;

import static org.junit.jupiter.api.Assertions.*;

import dev.dossier.runtime.tensor.FloatTensor;
import dev.dossier.runtime.tensor.Quantizer;
import dev.dossier.runtime.tensor.Tensors;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void everyMetadataTypeRoundTrips() throws Exception {
        Path file = dir.resolve("meta.gguf");
        new GgufWriter()
                .putUint8("u8", 255).putInt8("i8", -128)
                .putUint16("u16", 65535).putInt16("i16", -32768)
                .putUint32("u32", 0xFFFF_FFFFL).putInt32("i32", Integer.MIN_VALUE)
                .putUint64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1.5f).putFloat64("f64", Math.PI)
                .putBool("yes", true).putBool("no", false)
                .putString("s", "héllo ▁world")
                .putString("empty", "")
                .putStringArray("strings", "a", "", "ü▁")
                .putFloat32Array("floats", 1f, -2f)
                .putInt32Array("ints", 7, -7)
                .putArray("u8s", GgufValueType.UINT8, new int[] {0, 200})
                .putArray("i16s", GgufValueType.INT16, new int[] {-5})
                .putArray("u32s", GgufValueType.UINT32, new long[] {4_000_000_000L})
                .putArray("i64s", GgufValueType.INT64, new long[] {Long.MAX_VALUE})
                .putArray("f64s", GgufValueType.FLOAT64, new double[] {0.25})
                .putArray("bools", GgufValueType.BOOL, new boolean[] {true, false})
                .putArray("nothing", GgufValueType.INT32, new int[0])
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            var m = gguf.metadata();
            assertEquals(3, gguf.version());
            assertEquals(255, m.get("u8"));
            assertEquals(-128, m.get("i8"));
            assertEquals(65535, m.get("u16"));
            assertEquals(-32768, m.get("i16"));
            assertEquals(0xFFFF_FFFFL, m.get("u32"));
            assertEquals(Integer.MIN_VALUE, m.get("i32"));
            assertEquals(-1L, m.get("u64"));
            assertEquals(Long.MIN_VALUE, m.get("i64"));
            assertEquals(1.5f, m.get("f32"));
            assertEquals(Math.PI, m.get("f64"));
            assertEquals(true, m.get("yes"));
            assertEquals(false, m.get("no"));
            assertEquals("héllo ▁world", gguf.string("s"));
            assertEquals("", gguf.string("empty"));
            assertArrayEquals(new String[] {"a", "", "ü▁"}, gguf.array("strings", String[].class));
            assertArrayEquals(new float[] {1f, -2f}, gguf.array("floats", float[].class));
            assertArrayEquals(new int[] {7, -7}, gguf.array("ints", int[].class));
            assertArrayEquals(new int[] {0, 200}, gguf.array("u8s", int[].class));
            assertArrayEquals(new int[] {-5}, gguf.array("i16s", int[].class));
            assertArrayEquals(new long[] {4_000_000_000L}, gguf.array("u32s", long[].class));
            assertArrayEquals(new long[] {Long.MAX_VALUE}, gguf.array("i64s", long[].class));
            assertArrayEquals(new double[] {0.25}, gguf.array("f64s", double[].class));
            assertArrayEquals(new boolean[] {true, false}, gguf.array("bools", boolean[].class));
            assertArrayEquals(new int[0], gguf.array("nothing", int[].class));
            assertEquals(24, m.size());
            assertTrue(gguf.tensors().isEmpty());
        }
    }

    @Test
    void rejectsOutOfRangeAndMistypedValues() {
        GgufWriter writer = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> writer.putUint8("x", 256));
        assertThrows(IllegalArgumentException.class, () -> writer.putInt16("x", 40000));
        assertThrows(IllegalArgumentException.class, () -> writer.putUint32("x", -1));
        assertThrows(IllegalArgumentException.class, () -> writer.putArray("x", GgufValueType.UINT8, new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> writer.putArray("x", GgufValueType.UINT32, new int[] {1}));
        writer.putInt32("x", 1);
        assertThrows(IllegalArgumentException.class, () -> writer.putInt32("x", 2));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("t", new long[] {31}, GgmlType.Q8_0, new float[31]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("t", new long[] {32}, GgmlType.Q8_0, new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("t", new long[] {256}, GgmlType.IQ2_XXS, new float[256]));
    }

    @Test
    void tensorsRoundTripThroughTensorsOf() throws Exception {
        for (int alignment : new int[] {32, 64, 256}) {
            Random random = new Random(alignment);
            float[] values = new float[3 * 64];
            for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
            byte[] q4k = new byte[144 * 2];
            random.nextBytes(q4k);
            q4k[0] = 0; q4k[1] = 0x20;          // finite d and dmin (small f16s) in both super-blocks
            q4k[2] = 0; q4k[3] = 0x20;
            q4k[144] = 0; q4k[145] = 0x20;
            q4k[146] = 0; q4k[147] = 0x20;
            GgmlType[] types = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0};
            GgufWriter writer = new GgufWriter().putString("general.architecture", "llama");
            if (alignment != 32) {
                writer.putUint32("general.alignment", alignment);
            }
            for (GgmlType type : types) {
                writer.addTensor("t." + type, new long[] {64, 3}, type, values);
            }
            writer.addTensor("raw.q4_k", new long[] {512}, GgmlType.Q4_K, q4k);
            Path file = dir.resolve("tensors" + alignment + ".gguf");
            writer.write(file);

            try (GgufFile gguf = GgufFile.open(file)) {
                assertEquals(alignment == 32 ? 1 : 2, gguf.metadata().size());
                assertEquals(0, gguf.dataStart() % alignment);
                for (GgmlType type : types) {
                    GgufTensorInfo info = gguf.requireTensor("t." + type);
                    assertEquals(type, info.type());
                    assertArrayEquals(new long[] {64, 3}, info.dimensions());
                    assertEquals(0, info.dataOffset() % alignment, "offset of " + info);
                    byte[] stored = gguf.tensorData(info).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(Quantizer.quantize(type, values), stored, type.toString());
                    FloatTensor tensor = Tensors.of(type, gguf.tensorData(info), info.elementCount());
                    for (int i = 0; i < values.length; i++) {
                        float expected = switch (type) {
                            case F32 -> values[i];
                            case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                            case BF16 -> Float.intBitsToFloat(Quantizer.toBF16(values[i]) << 16);
                            default -> Float.NaN;
                        };
                        if (Float.isNaN(expected)) {
                            // Quantized: Q8_0 within half a step (max/127); Q4_0 codes span [-8d, 7d] with
                            // -8d at the extreme value, so the far side can be off by a whole step d = max/8.
                            // Plus the f16 rounding of d.
                            float max = 0;
                            for (int j = i / 32 * 32; j < i / 32 * 32 + 32; j++) max = Math.max(max, Math.abs(values[j]));
                            float tolerance = type == GgmlType.Q8_0 ? max / 127 * 0.51f : max / 8 * 1.01f;
                            assertEquals(values[i], tensor.getFloat(i), tolerance + max * 1e-3f, type + " value " + i);
                        } else {
                            assertEquals(expected, tensor.getFloat(i), type + " value " + i);
                        }
                    }
                }
                GgufTensorInfo raw = gguf.requireTensor("raw.q4_k");
                assertArrayEquals(q4k, gguf.tensorData(raw).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(0, raw.dataOffset() % alignment);
                assertEquals(gguf.fileSize(), raw.dataOffset() + raw.byteSize());
            }
        }
    }

    @Test
    void rowSourceTensorsEqualTheSameFloatsGivenWhole() throws Exception {
        int cols = 64;
        int rows = 5;
        float[] values = new float[cols * rows];
        Random random = new Random(3);
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        Path streamed = dir.resolve("rows.gguf");
        Path whole = dir.resolve("whole.gguf");
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F16}) {
            new GgufWriter().addTensor("t", new long[] {cols, rows}, type,
                    (row, out) -> System.arraycopy(values, (int) row * cols, out, 0, cols)).write(streamed);
            new GgufWriter().addTensor("t", new long[] {cols, rows}, type, values).write(whole);
            assertArrayEquals(java.nio.file.Files.readAllBytes(whole), java.nio.file.Files.readAllBytes(streamed), type.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().addTensor("t", new long[] {48, 2}, GgmlType.Q4_0,
                (GgufWriter.RowSource) (row, out) -> { }));
    }
}
