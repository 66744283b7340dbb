package dev.dossier.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of generated tokens into text, one token at a time. Made by
 * {@link Tokenizer#newDecoder()} or {@link Tokenizer#newDecoder(int)}; one per generation, not
 * thread-safe.
 *
 * <p>Byte tokens ({@code <0xE6>}) may carry a fraction of a character, so bytes are held back
 * until the character they start is complete: {@link #accept} never returns half a character,
 * and valid UTF-8 never comes out as U+FFFD. Control tokens produce no text.
 *
 * <p>Leading space rule: the first piece at the start of the text, and the first piece right
 * after BOS, loses its leading space. That space is SentencePiece's prefix, added when encoding,
 * not part of the text.
 */
public final class Decoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;
    private boolean atTextStart;

    Decoder(Tokenizer tokenizer, boolean atTextStart) {
        this.tokenizer = tokenizer;
        this.atTextStart = atTextStart;
    }

    /** Adds a token; returns the text it completes, possibly empty. */
    public String accept(int tokenId) {
        byte[] bytes = tokenizer.decodedBytes(tokenId);
        int from = atTextStart && !tokenizer.isByteToken(tokenId) && bytes.length > 0 && bytes[0] == ' ' ? 1 : 0;
        append(bytes, from);
        atTextStart = tokenId == tokenizer.bos();
        return take(completeLength());
    }

    /** Returns whatever is still held back, with any incomplete character as U+FFFD, and empties the decoder. */
    public String flush() {
        return take(pendingLength);
    }

    private void append(byte[] bytes, int from) {
        int count = bytes.length - from;
        if (pendingLength + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + count));
        }
        System.arraycopy(bytes, from, pending, pendingLength, count);
        pendingLength += count;
    }

    /** How many pending bytes end on a character boundary: all but an unfinished multi-byte sequence at the end. */
    private int completeLength() {
        // A UTF-8 sequence is at most 4 bytes, so its lead byte is among the last 4.
        for (int i = pendingLength - 1; i >= Math.max(0, pendingLength - 4); i--) {
            int b = pending[i] & 0xFF;
            if ((b & 0xC0) != 0x80) { // not a continuation byte: a lead byte or ASCII
                return pendingLength - i < sequenceLength(b) ? i : pendingLength;
            }
        }
        return pendingLength; // only continuation bytes: invalid, nothing worth waiting for
    }

    private static int sequenceLength(int leadByte) {
        if (leadByte >= 0xF8) return 1; // never valid in UTF-8
        if (leadByte >= 0xF0) return 4;
        if (leadByte >= 0xE0) return 3;
        if (leadByte >= 0xC0) return 2;
        return 1;
    }

    private String take(int length) {
        String text = new String(pending, 0, length, StandardCharsets.UTF_8);
        System.arraycopy(pending, length, pending, 0, pendingLength - length);
        pendingLength -= length;
        return text;
    }
}
