package dev.dossier.runtime.gguf;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader on the real test model, and on truncated, patched and corrupted copies of it. */
class GgufFileTest {
    private static final Path MODEL = Path.of(System.getProperty("dossier.shared", "../../shared"), "models", "stories260K.gguf");

    @TempDir
    Path dir;
    private byte[] original;
    private long dataStart;
    private GgufTensorInfo firstTensor;

    @BeforeEach
    void readModel() throws IOException {
        original = Files.readAllBytes(MODEL);
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            dataStart = gguf.dataStart();
            firstTensor = gguf.tensors().values().iterator().next();
        }
    }

    @Test
    void opensTheRealModel() throws IOException {
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            assertEquals(3, gguf.version());
            assertEquals("llama", gguf.string("general.architecture"));
            assertEquals(512, gguf.array("tokenizer.ggml.tokens", String[].class).length);
            assertFalse(gguf.tensors().isEmpty());
        }
    }

    /** Repacked matrices live in memory the file hands out: large ones on 2 MB boundaries, small ones as they come; all zeroed and writable to the last byte. */
    @Test
    void allocatesZeroedMemoryForRepackedTensors() throws IOException {
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            long large = 3 * (1L << 20) + 12345;
            MemorySegment big = gguf.allocate(large);
            MemorySegment small = gguf.allocate(1000);
            assertEquals(large, big.byteSize());
            assertEquals(1000, small.byteSize());
            assertEquals(0, small.address() % 64);
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertEquals(0, big.address() % (2L << 20), "a huge page boundary, so the kernel can map it with 2 MB pages");
            }
            for (MemorySegment segment : new MemorySegment[] {big, small}) {
                assertEquals(0, segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1));
                assertEquals(-1, segment.mismatch(MemorySegment.ofArray(new byte[(int) segment.byteSize()])), "zeroed");
                segment.set(ValueLayout.JAVA_BYTE, segment.byteSize() - 1, (byte) 7);
                assertEquals(7, segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1));
            }
        }
    }

    @Test
    void tensorDataIsTheFilesBytesAsReadOnlyMemoryOfOneClassWithRepackedMemory() throws IOException {
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            MemorySegment data = gguf.tensorData(firstTensor);
            MemorySegment repacked = gguf.allocate(3L << 20);
            assertSame(repacked.getClass(), data.getClass(),
                    "the kernels' shared load code compiles for one segment class (BENCHMARKS.md, session 10)");
            assertTrue(data.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> data.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            int from = (int) firstTensor.dataOffset();
            assertArrayEquals(Arrays.copyOfRange(original, from, from + (int) data.byteSize()), data.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private GgufFormatException openFails(byte[] bytes) throws IOException {
        Path file = dir.resolve("broken.gguf");
        Files.write(file, bytes);
        return assertThrows(GgufFormatException.class, () -> {
            try (GgufFile ignored = GgufFile.open(file)) {
                // opened: the assertion fails
            }
        });
    }

    private static void assertMessage(GgufFormatException e, String... anyOf) {
        for (String s : anyOf) {
            if (e.getMessage().contains(s)) return;
        }
        fail("message '" + e.getMessage() + "' names none of " + Arrays.toString(anyOf));
    }

    @Test
    void truncationsFailWithAClearMessage() throws IOException {
        for (int at : new int[] {0, 1, 3}) {
            assertMessage(openFails(Arrays.copyOf(original, at)), "not a GGUF file");
        }
        long tensorEnd = 0;
        try (GgufFile gguf = GgufFile.open(MODEL)) {
            for (GgufTensorInfo t : gguf.tensors().values()) tensorEnd = Math.max(tensorEnd, t.dataOffset() + t.byteSize());
        }
        List<Integer> cuts = new ArrayList<>(List.of(4, 5, 8, 10, 16, 23, 24, 25, 30, 100, 1000, 5000,
                (int) dataStart - 1, (int) dataStart, (int) dataStart + 1, (int) (dataStart + tensorEnd) / 2, (int) tensorEnd - 1));
        for (int at = 4; at < dataStart; at += 37) cuts.add(at);   // all through metadata and the tensor-info table
        for (int at : cuts) {
            GgufFormatException e = openFails(Arrays.copyOf(original, at));
            if (at < dataStart) {
                assertMessage(e, "truncated");
            } else {
                assertMessage(e, "outside the file");
            }
        }
        if (tensorEnd == original.length) {
            assertMessage(openFails(Arrays.copyOf(original, original.length - 1)), "outside the file");
        }
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] bytes = original.clone();
        bytes[0] = 'G';
        bytes[1] = 'G';
        bytes[2] = 'M';
        bytes[3] = 'L';
        assertMessage(openFails(bytes), "not a GGUF file");
    }

    /** Offset of the type field of the first tensor's entry: found by its name, which precedes it. */
    private int typeFieldOfFirstTensor() {
        byte[] name = firstTensor.name().getBytes(StandardCharsets.UTF_8);
        int at = indexOf(original, name, (int) dataStart);
        assertTrue(at > 0, "tensor name found in the header");
        return at + name.length + 4 + 8 * firstTensor.dimensions().length;
    }

    @Test
    void unknownTensorType() throws IOException {
        int typeAt = typeFieldOfFirstTensor();
        assertEquals(firstTensor.type().id(), ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getInt(typeAt));
        byte[] bytes = original.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
        GgufFormatException e = openFails(bytes);
        assertMessage(e, "unknown tensor type id 99");
        assertMessage(e, firstTensor.name());
    }

    @Test
    void tensorOffsetPastTheEnd() throws IOException {
        int offsetAt = typeFieldOfFirstTensor() + 4;
        for (long offset : new long[] {original.length, 1L << 40, Long.MAX_VALUE & ~31L}) {
            byte[] bytes = original.clone();
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(offsetAt, offset - offset % 32);
            assertMessage(openFails(bytes), "outside the file");
        }
        byte[] misaligned = original.clone();
        ByteBuffer.wrap(misaligned).order(ByteOrder.LITTLE_ENDIAN).putLong(offsetAt, 3);
        assertMessage(openFails(misaligned), "not a multiple of the alignment");
    }

    @Test
    void corruptedHeaderBytesFailCleanly() throws IOException {
        Random random = new Random(260);
        Path file = dir.resolve("corrupt.gguf");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int opened = 0;
            for (int round = 0; round < 300; round++) {
                byte[] bytes = original.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    bytes[random.nextInt((int) dataStart)] ^= (byte) (1 + random.nextInt(255));
                }
                Files.write(file, bytes);
                try (GgufFile ignored = GgufFile.open(file)) {
                    opened++;
                } catch (GgufFormatException expected) {
                    assertNotNull(expected.getMessage());
                }
                // Anything else (ArithmeticException, IndexOutOfBounds, NegativeArraySize, OutOfMemoryError...) fails the test.
            }
            assertTrue(opened < 300, "some corruptions must be caught");
        });
    }

    /** Crafted headers whose counts and lengths claim far more than the file holds. */
    @Test
    void implausibleCountsAndLengths() throws IOException {
        assertMessage(openFails(header(Long.MAX_VALUE, 0).array()), "tensor count");
        assertMessage(openFails(header(-1, 0).array()), "tensor count");
        assertMessage(openFails(header(0, 1L << 40).array()), "metadata count");

        ByteBuffer longString = header(0, 1);
        longString.putLong(Long.MAX_VALUE);
        assertMessage(openFails(longString.array()), "runs past the end");

        ByteBuffer longArray = header(0, 1);
        key(longArray, "a");
        longArray.putInt(GgufValueType.ARRAY.id()).putInt(GgufValueType.UINT8.id()).putLong(1L << 50);
        assertMessage(openFails(longArray.array()), "array length");

        ByteBuffer badType = header(0, 1);
        key(badType, "a");
        badType.putInt(77);
        assertMessage(openFails(badType.array()), "unknown value type 77");

        ByteBuffer deep = header(0, 1);
        key(deep, "a");
        deep.putInt(GgufValueType.ARRAY.id());
        for (int level = 0; level < 100; level++) {
            deep.putInt(GgufValueType.ARRAY.id()).putLong(1);
        }
        assertMessage(openFails(deep.array()), "nests arrays");

        ByteBuffer hugeTensor = header(1, 0);
        key(hugeTensor, "t");
        hugeTensor.putInt(4).putLong(1L << 40).putLong(1L << 40).putLong(1L << 40).putLong(1L << 40);
        hugeTensor.putInt(GgmlType.F32.id()).putLong(0);
        assertMessage(openFails(hugeTensor.array()), "impossibly large");
    }

    private static ByteBuffer header(long tensors, long metadata) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufFile.MAGIC).putInt(3).putLong(tensors).putLong(metadata);
        return b;
    }

    private static void key(ByteBuffer b, String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int end) {
        outer:
        for (int i = 0; i + needle.length <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
