package dev.dossier.runtime.tokenizer;

import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.gguf.GgufFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The Llama 2 tokenizer: SentencePiece BPE with scores and byte fallback, as llama.cpp's SPM
 * tokenizer runs it ({@code tokenizer.ggml.model = "llama"}).
 *
 * <p>Immutable and thread-safe: {@link #encode} and {@link #decode} may run concurrently. Streaming
 * output goes through a per-generation {@link Decoder}.
 *
 * <p>Text written in the input that looks like a control token ({@code "<s>"}) is encoded as plain
 * text, never as the control token itself.
 */
public final class Tokenizer {
    /** SentencePiece's stand-in for a space, "▁" (U+2581). */
    private static final char SPACE_MARK = '\u2581';

    // Values of tokenizer.ggml.token_type used here; the others are 2 unknown and 5 unused.
    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_USER_DEFINED = 4;
    private static final int TYPE_BYTE = 6;

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    /** Pieces that text may be segmented into (normal and user-defined), by text. */
    private final Map<String, Integer> mergeableIds;
    private final int longestMergeable;
    /** The {@code <0xNN>} token of each byte value, or -1 where the vocabulary lacks it. */
    private final int[] byteTokens;
    /** What each token contributes to decoded text, as UTF-8: nothing for control tokens, the raw byte for byte tokens. */
    private final byte[][] decodedBytes;
    private final int bos;
    private final int eos;
    private final int unknown;
    private final boolean addBos;
    private final boolean addSpacePrefix;

    private Tokenizer(String[] pieces, float[] scores, int[] types, int bos, int eos, int unknown,
                      boolean addBos, boolean addSpacePrefix) {
        this.pieces = pieces;
        this.scores = scores;
        this.types = types;
        this.bos = bos;
        this.eos = eos;
        this.unknown = unknown;
        this.addBos = addBos;
        this.addSpacePrefix = addSpacePrefix;

        Map<String, Integer> mergeable = new HashMap<>();
        int longest = 0;
        byteTokens = new int[256];
        Arrays.fill(byteTokens, -1);
        decodedBytes = new byte[pieces.length][];
        for (int id = 0; id < pieces.length; id++) {
            int byteValue = byteValue(id);
            // As in SentencePiece, text never turns into control, unused or byte pieces by merging.
            if (types[id] == TYPE_NORMAL || types[id] == TYPE_USER_DEFINED) {
                mergeable.putIfAbsent(pieces[id], id); // the first of duplicate pieces wins
                longest = Math.max(longest, pieces[id].length());
            }
            if (byteValue >= 0 && byteTokens[byteValue] < 0) {
                byteTokens[byteValue] = id;
            }
            if (types[id] == TYPE_CONTROL) {
                decodedBytes[id] = new byte[0];
            } else if (byteValue >= 0) {
                decodedBytes[id] = new byte[] {(byte) byteValue};
            } else {
                decodedBytes[id] = pieces[id].replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
            }
        }
        this.mergeableIds = mergeable;
        this.longestMergeable = longest;
    }

    /** Reads the vocabulary from {@code tokenizer.ggml.*} metadata; only the "llama" (SentencePiece) model is supported. */
    public static Tokenizer fromGguf(GgufFile gguf) {
        String file = gguf.path().getFileName() + ": ";
        String model = gguf.string("tokenizer.ggml.model");
        if (!model.equals("llama")) {
            throw new GgufFormatException(file + "unsupported tokenizer model '" + model
                    + "' (tokenizer.ggml.model); only 'llama' (SentencePiece BPE) is supported");
        }
        String[] pieces = gguf.array("tokenizer.ggml.tokens", String[].class);
        float[] scores = gguf.array("tokenizer.ggml.scores", float[].class);
        int[] types = gguf.has("tokenizer.ggml.token_type") ? gguf.array("tokenizer.ggml.token_type", int[].class) : null;
        if (types == null) {
            // llama.cpp treats a vocabulary without types as all normal tokens; so do we.
            types = new int[pieces.length];
            Arrays.fill(types, TYPE_NORMAL);
        }
        if (scores.length != pieces.length || types.length != pieces.length) {
            throw new GgufFormatException(file + "tokenizer has " + pieces.length + " tokens but " + scores.length
                    + " scores and " + types.length + " token types");
        }
        int bos = tokenId(gguf, pieces.length, "tokenizer.ggml.bos_token_id", 1);
        int eos = tokenId(gguf, pieces.length, "tokenizer.ggml.eos_token_id", 2);
        int unknown = tokenId(gguf, pieces.length, "tokenizer.ggml.unknown_token_id", 0);
        return new Tokenizer(pieces.clone(), scores.clone(), types.clone(), bos, eos, unknown,
                gguf.bool("tokenizer.ggml.add_bos_token", true),
                gguf.bool("tokenizer.ggml.add_space_prefix", true));
    }

    private static int tokenId(GgufFile gguf, int vocabularySize, String key, int fallback) {
        int id = gguf.integer(key, fallback);
        if (id < 0 || id >= vocabularySize) {
            throw new GgufFormatException(gguf.path().getFileName() + ": " + key + " is " + id
                    + ", outside the vocabulary of " + vocabularySize + " tokens");
        }
        return id;
    }

    /** The byte a {@code <0xNN>} byte token stands for, or -1 if {@code id} is not one. */
    private int byteValue(int id) {
        String piece = pieces[id];
        if (types[id] != TYPE_BYTE || piece.length() != 6 || !piece.startsWith("<0x") || !piece.endsWith(">")) {
            return -1;
        }
        try {
            return Integer.parseInt(piece, 3, 5, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public int vocabularySize() {
        return pieces.length;
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int unknown() {
        return unknown;
    }

    /** Whether prompts should start with BOS ({@code tokenizer.ggml.add_bos_token}). */
    public boolean addsBos() {
        return addBos;
    }

    /** The token's vocabulary entry as stored, with "▁" for spaces; {@code <0x0A>} for a byte token. */
    public String piece(int id) {
        return pieces[id];
    }

    public boolean isControl(int id) {
        return types[id] == TYPE_CONTROL;
    }

    /**
     * Splits {@code text} into token ids, preceded by BOS if {@code addBos}. Empty text gives only
     * the BOS, if asked for.
     *
     * <p>Spaces become "▁" and, with {@code add_space_prefix}, one "▁" is put in front. Starting
     * from one symbol per character, the adjacent pair whose concatenation is the highest-scoring
     * vocabulary piece is merged (leftmost first among equals) until no pair forms a piece. A
     * symbol left without a piece of its own becomes one {@code <0xNN>} token per UTF-8 byte, or
     * a single unknown token if the vocabulary lacks one of those byte tokens.
     */
    public int[] encode(String text, boolean addBos) {
        IntList ids = new IntList(text.length() + 1);
        if (addBos) {
            ids.add(bos);
        }
        if (text.isEmpty()) {
            return ids.toArray();
        }
        String normalized = (addSpacePrefix ? " " + text : text).replace(' ', SPACE_MARK);
        Symbols symbols = mergePairs(normalized);
        for (int i = 0; i != -1; i = symbols.next[i]) {
            String symbol = normalized.substring(symbols.start[i], symbols.end[i]);
            Integer id = mergeableIds.get(symbol);
            if (id != null) {
                ids.add(id);
            } else {
                addByteFallback(symbol, ids);
            }
        }
        return ids.toArray();
    }

    private void addByteFallback(String symbol, IntList ids) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteTokens[b & 0xFF] < 0) {
                ids.add(unknown);
                return;
            }
        }
        for (byte b : bytes) {
            ids.add(byteTokens[b & 0xFF]);
        }
    }

    /** The characters of a text as a doubly linked list of symbols, spans of the text that merge as BPE proceeds. */
    private static final class Symbols {
        final int[] start;
        final int[] end;
        final int[] prev;
        final int[] next;

        Symbols(String text) {
            int count = text.codePointCount(0, text.length());
            start = new int[count];
            end = new int[count];
            prev = new int[count];
            next = new int[count];
            for (int i = 0, offset = 0; i < count; i++) {
                start[i] = offset;
                offset = text.offsetByCodePoints(offset, 1);
                end[i] = offset;
                prev[i] = i - 1;
                next[i] = i + 1 < count ? i + 1 : -1;
            }
        }

        boolean isMergedAway(int i) {
            return start[i] == end[i];
        }
    }

    /** A candidate merge of two adjacent symbols; {@code length} detects candidates made stale by other merges. */
    private record Pair(int left, int right, float score, int length) {}

    /**
     * BPE with a priority queue of adjacent pairs, so that a merge costs O(log n) instead of a
     * rescan of all symbols: long inputs stay O(n log n).
     */
    private Symbols mergePairs(String text) {
        Symbols symbols = new Symbols(text);
        PriorityQueue<Pair> queue = new PriorityQueue<>((a, b) ->
                a.score() != b.score() ? Float.compare(b.score(), a.score()) : Integer.compare(a.left(), b.left()));
        for (int i = 1; i < symbols.start.length; i++) {
            offerPair(text, symbols, i - 1, i, queue);
        }
        Pair pair;
        while ((pair = queue.poll()) != null) {
            int left = pair.left();
            int right = pair.right();
            boolean stale = symbols.isMergedAway(left) || symbols.isMergedAway(right) || symbols.next[left] != right
                    || symbols.end[right] - symbols.start[left] != pair.length();
            if (stale) {
                continue;
            }
            symbols.end[left] = symbols.end[right];
            symbols.start[right] = symbols.end[right]; // empty: merged into its left neighbour
            symbols.next[left] = symbols.next[right];
            if (symbols.next[right] != -1) {
                symbols.prev[symbols.next[right]] = left;
            }
            offerPair(text, symbols, symbols.prev[left], left, queue);
            offerPair(text, symbols, left, symbols.next[left], queue);
        }
        return symbols;
    }

    private void offerPair(String text, Symbols symbols, int left, int right, PriorityQueue<Pair> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        int length = symbols.end[right] - symbols.start[left];
        if (length > longestMergeable) {
            return;
        }
        Integer id = mergeableIds.get(text.substring(symbols.start[left], symbols.end[right]));
        if (id != null) {
            queue.add(new Pair(left, right, scores[id], length));
        }
    }

    /**
     * The text of {@code ids}, as a {@link #newDecoder()} would stream it: control tokens vanish,
     * byte tokens are reassembled into characters (leftover invalid bytes become U+FFFD), and the
     * piece at the start of the text or right after BOS loses its leading space.
     */
    public String decode(int[] ids) {
        Decoder decoder = newDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(decoder.accept(id));
        }
        return text.append(decoder.flush()).toString();
    }

    /**
     * A decoder for text that starts here, like {@link #decode}: the first piece loses its leading
     * space, the one SentencePiece's space prefix put there. Use it when feeding all tokens from
     * BOS on, or when generation starts right after a prompt that is just BOS.
     */
    public Decoder newDecoder() {
        return new Decoder(this, true);
    }

    /**
     * A decoder for text that continues after {@code previousToken}, typically the last prompt
     * token: the first piece keeps its leading space unless {@code previousToken} is BOS.
     */
    public Decoder newDecoder(int previousToken) {
        return new Decoder(this, previousToken == bos);
    }

    /** The token's contribution to decoded text, as UTF-8 bytes; do not modify. */
    byte[] decodedBytes(int id) {
        return decodedBytes[id];
    }

    boolean isByteToken(int id) {
        return types[id] == TYPE_BYTE;
    }

    /** A growable int array, enough to collect token ids without boxing. */
    private static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(capacity, 4)];
        }

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
