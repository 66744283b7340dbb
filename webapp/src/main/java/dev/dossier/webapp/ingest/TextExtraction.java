package dev.dossier.webapp.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads text and source files as LINE-anchored text.
 *
 * <p>Encoding rule: UTF-8 (a leading BOM is dropped). Bytes that are not valid UTF-8 are read as
 * windows-1252, the superset of Latin-1 that "Latin-1" files really use, but only when they are
 * clearly text: no control characters other than tab, line feed, form feed and carriage return,
 * and no byte that windows-1252 leaves undefined. Anything else is a {@link CorruptDocumentException}.
 */
final class TextExtraction {

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private TextExtraction() {
    }

    static AnchoredText extract(String path, byte[] bytes) {
        String text = AnchoredText.normaliseLineEndings(decode(path, bytes));
        if (text.isBlank()) {
            throw new UnsupportedDocumentException(path, Ingestion.EMPTY_FILE);
        }
        return AnchoredText.lines(text);
    }

    static String decode(String path, byte[] bytes) {
        ByteBuffer content = withoutUtf8Bom(bytes);
        try {
            return strictDecoder(StandardCharsets.UTF_8).decode(content.duplicate()).toString();
        } catch (CharacterCodingException notUtf8) {
            try {
                String text = strictDecoder(WINDOWS_1252).decode(content).toString();
                if (!hasControlCharacters(text)) {
                    return text;
                }
            } catch (CharacterCodingException notWindows1252) {
                // fall through to the error below
            }
            throw new CorruptDocumentException(path, "not valid UTF-8 text", notUtf8);
        }
    }

    private static ByteBuffer withoutUtf8Bom(byte[] bytes) {
        boolean hasBom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
        int offset = hasBom ? 3 : 0;
        return ByteBuffer.wrap(bytes, offset, bytes.length - offset);
    }

    private static CharsetDecoder strictDecoder(Charset charset) {
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static boolean hasControlCharacters(String text) {
        return text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\f' && c != '\r');
    }
}
