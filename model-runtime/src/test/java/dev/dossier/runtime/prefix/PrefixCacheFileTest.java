package dev.dossier.runtime.prefix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.JavaEngine;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefixCacheFileTest {
    /** Small DCA chunks, so a 300-token prefix spans several chunks. */
    private static final AttentionConfig SMALL_CHUNKS = new AttentionConfig(true, 48, 16);
    private static final int PREFIX = 300;
    private static final int CAPACITY = 512;

    private static Llama model;
    private static Engine engine;
    private static ModelFingerprint fingerprint;
    private static int[] prefix;

    @TempDir
    Path directory;

    @BeforeAll
    static void load() throws IOException {
        model = Llama.load(Fixtures.stories260K());
        engine = new JavaEngine(model);
        fingerprint = ModelFingerprint.of(model);
        String golden = Fixtures.goldenGreedy256();
        prefix = Arrays.copyOf(model.tokenizer().encode(golden + " " + golden, true), PREFIX);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Session prefilled() {
        Session session = new JavaSession(model, SMALL_CHUNKS, CAPACITY);
        session.prefill(prefix, 0, prefix.length, false, (position, logits, offset) -> { }, Session.Progress.NONE);
        return session;
    }

    private Path saved(Session session) throws IOException {
        Path file = directory.resolve("prefix.dosskv");
        PrefixCacheFile.write(session, PREFIX, file, fingerprint);
        return file;
    }

    @Test
    void aRestoredSessionContinuesExactlyLikeTheUninterruptedOne() throws IOException {
        Session uninterrupted = prefilled();
        Path file = saved(uninterrupted);
        Session restored = PrefixCacheFile.read(file, engine, CAPACITY);

        assertEquals(SMALL_CHUNKS, restored.attentionConfig());
        assertArrayEquals(prefix, restored.cachedTokens());
        int next = model.tokenizer().encode(" Lily", false)[0];
        assertArrayEquals(uninterrupted.next(next), restored.next(next));

        int[] question = Arrays.copyOf(prefix, PREFIX + 2);
        question[PREFIX] = next;
        question[PREFIX + 1] = model.tokenizer().encode(" said", false)[0];
        GenerationParameters greedy = GenerationParameters.GREEDY.withMaxTokens(40);
        GenerationResult expected = Generator.generate(uninterrupted, question, greedy, Generator.Listener.NONE);
        GenerationResult actual = Generator.generate(PrefixCacheFile.read(file, engine, CAPACITY), question, greedy, Generator.Listener.NONE);
        assertEquals(expected.text(), actual.text());
        assertEquals(PREFIX, actual.reusedPromptTokens());
    }

    /** The off-heap cache goes to the file as little-endian elements of its own precision and comes back bit for bit. */
    @Test
    void keysAndValuesRoundTripBetweenTheOffHeapCacheAndTheFile() throws IOException {
        Session original = prefilled();
        Path file = saved(original);
        Session restored = PrefixCacheFile.read(file, engine, CAPACITY);
        KvCache from = original.cache();
        KvCache to = restored.cache();
        assertEquals(KvCache.Precision.F16, from.precision(), "the Java engine keeps halves");
        assertEquals(KvCache.Precision.F16, PrefixCacheFile.readHeader(file).precision());
        long prefixBytes = (long) PREFIX * from.headSize() * from.precision().bytes();
        for (int layer = 0; layer < from.layers(); layer++) {
            for (int head = 0; head < from.kvHeads(); head++) {
                assertTrue(to.keys(layer, head).isNative() && to.values(layer, head).isNative());
                assertEquals(-1, from.keys(layer, head).asSlice(0, prefixBytes).mismatch(to.keys(layer, head).asSlice(0, prefixBytes)));
                assertEquals(-1, from.values(layer, head).asSlice(0, prefixBytes).mismatch(to.values(layer, head).asSlice(0, prefixBytes)));
            }
        }
        // The payload ends with the last layer's last head's values, little-endian whatever the machine.
        ByteBuffer tail = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] lastValues = new float[PREFIX * from.headSize()];
        from.readValues(from.layers() - 1, from.kvHeads() - 1, 0, PREFIX, lastValues, 0);
        int start = tail.capacity() - lastValues.length * Short.BYTES;
        for (int i = 0; i < lastValues.length; i++) {
            assertEquals(lastValues[i], Float.float16ToFloat(tail.getShort(start + i * Short.BYTES)));
        }
    }

    @Test
    void theHeaderSaysWhatTheFileHolds() throws IOException {
        Path file = saved(prefilled());
        PrefixCacheFile.Header header = PrefixCacheFile.readHeader(file);
        assertEquals(fingerprint, header.model());
        assertEquals(SMALL_CHUNKS, header.attention());
        assertArrayEquals(prefix, header.tokens());
        assertEquals(model.config().layers(), header.layers());
        try (var files = Files.list(directory)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aSessionWithOtherAttentionIsRefused() throws IOException {
        Path file = saved(prefilled());
        Session other = new JavaSession(model, new AttentionConfig(true, 64, 16), CAPACITY);
        PrefixCacheException e = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.readInto(file, other));
        assertTrue(e.getMessage().contains("attention dca(chunk_size=48, local_window=16)"), e.getMessage());
        assertEquals(0, other.position());
    }

    @Test
    void anotherModelIsRefused() throws IOException {
        Session session = prefilled();
        Path file = directory.resolve("other.dosskv");
        PrefixCacheFile.write(session, PREFIX, file, new ModelFingerprint("other.gguf", 1234, fingerprint.sha256()));
        PrefixCacheException e = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(file, engine, CAPACITY));
        assertTrue(e.getMessage().contains("was made for model other.gguf"), e.getMessage());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path file = saved(prefilled());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 4);
        }
        PrefixCacheException e = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(file, engine, CAPACITY));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(20);
        }
        e = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(file, engine, CAPACITY));
        assertTrue(e.getMessage().contains("ends inside its header"), e.getMessage());
    }

    @Test
    void damagedKeysOrHeaderAreRefused() throws IOException {
        Path file = saved(prefilled());
        long size = Files.size(file);
        flipByte(file, size - 1000);
        PrefixCacheException payload = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(file, engine, CAPACITY));
        assertTrue(payload.getMessage().contains("keys and values do not match their checksum"), payload.getMessage());

        Path again = saved(prefilled());
        flipByte(again, 200); // inside the prefix tokens
        PrefixCacheException header = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(again, engine, CAPACITY));
        assertTrue(header.getMessage().contains("header does not match its checksum"), header.getMessage());

        Files.writeString(again, "not a cache file at all");
        PrefixCacheException notOurs = assertThrows(PrefixCacheException.class, () -> PrefixCacheFile.read(again, engine, CAPACITY));
        assertTrue(notOurs.getMessage().contains("not a Dossier prefix cache file"), notOurs.getMessage());
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, position);
        }
    }
}
