package dev.dossier.webapp.reviews;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the JSON items out of a model's answer, repairing what it can: prose or code fences
 * around the JSON, single quotes, unquoted keys, trailing commas, comments, an answer cut off
 * mid-way (brackets and strings closed), an object wrapping the list. When the whole does not
 * parse, each balanced {@code {...}} is read on its own, and each that still fails becomes an
 * unreadable item: nothing is dropped silently.
 */
public final class ModelOutput {

    static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS, JsonReadFeature.ALLOW_MISSING_VALUES)
            .build();

    private static final Pattern FENCE = Pattern.compile("```(?:json|JSON)?\\s*\\n?(.*?)(?:```|$)", Pattern.DOTALL);
    private static final List<String> WRAPPERS = List.of("findings", "clauses", "items", "results", "issues", "review");

    /** What was read: objects, pieces that could not be read, and the repairs made to the whole. */
    public record Parsed(boolean json, List<JsonNode> items, List<String> unreadable, List<String> repairs) {
    }

    private ModelOutput() {
    }

    public static Parsed parse(String output) {
        List<String> repairs = new ArrayList<>();
        if (output == null || output.isBlank()) {
            return new Parsed(false, List.of(), List.of(), repairs);
        }
        String text = output;
        Matcher fence = FENCE.matcher(text);
        if (fence.find()) {
            text = fence.group(1);
            repairs.add("code fence removed");
        }
        int begin = firstOf(text, '[', '{');
        if (begin < 0) {
            return new Parsed(false, List.of(), List.of(), repairs);
        }
        if (!text.substring(0, begin).isBlank()) {
            repairs.add("text before the JSON ignored");
        }
        String json = text.substring(begin);
        JsonNode whole = read(json);
        if (whole == null) {
            String closed = close(json);
            if (!closed.equals(json)) {
                whole = read(closed);
                if (whole != null) {
                    repairs.add("cut-off JSON closed");
                }
            }
        }
        if (whole != null) {
            return new Parsed(true, items(whole, repairs), List.of(), repairs);
        }
        // Object by object.
        List<JsonNode> items = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (String piece : objects(json)) {
            JsonNode node = read(piece);
            if (node != null && node.isObject()) {
                items.add(node);
            } else {
                unreadable.add(piece);
            }
        }
        if (!items.isEmpty() || !unreadable.isEmpty()) {
            repairs.add("broken JSON read object by object");
        }
        return new Parsed(!items.isEmpty() || !unreadable.isEmpty(), items, unreadable, repairs);
    }

    private static List<JsonNode> items(JsonNode whole, List<String> repairs) {
        List<JsonNode> items = new ArrayList<>();
        if (whole.isArray()) {
            whole.forEach(items::add);
        } else if (whole.isObject()) {
            for (String wrapper : WRAPPERS) {
                JsonNode inner = whole.get(wrapper);
                if (inner != null && inner.isArray()) {
                    repairs.add("list taken from '" + wrapper + "'");
                    inner.forEach(items::add);
                    return items;
                }
            }
            items.add(whole);
        }
        return items;
    }

    /** The first JSON value of {@code json}, whatever follows it; null when it does not parse. */
    static JsonNode read(String json) {
        try (JsonParser parser = LENIENT.createParser(json)) {
            return LENIENT.readTree(parser);
        } catch (Exception e) {
            return null;
        }
    }

    /** Closes an open string and the open brackets of JSON that was cut off, dropping a dangling comma or key. */
    static String close(String json) {
        Deque<Character> open = new ArrayDeque<>();
        boolean inString = false;
        char quote = 0;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == quote) {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"', '\'' -> {
                    inString = true;
                    quote = c;
                }
                case '[', '{' -> open.push(c);
                case ']', '}' -> {
                    if (!open.isEmpty()) {
                        open.pop();
                    }
                    if (open.isEmpty()) {
                        return json.substring(0, i + 1);
                    }
                }
                default -> { }
            }
        }
        StringBuilder closed = new StringBuilder(json);
        if (inString) {
            closed.append(quote);
        }
        String trimmed = closed.toString().stripTrailing();
        // "key": (nothing), or a trailing comma: cut back to the last complete value.
        trimmed = trimmed.replaceFirst("(,\\s*\"[^\"]*\"\\s*:?\\s*|,\\s*|:\\s*)$", "");
        if (trimmed.endsWith(":")) {
            trimmed = trimmed + "null";
        }
        closed = new StringBuilder(trimmed);
        while (!open.isEmpty()) {
            closed.append(open.pop() == '[' ? ']' : '}');
        }
        return closed.toString();
    }

    /** The balanced top-level-most {@code {...}} pieces holding no other object start, in order. */
    static List<String> objects(String json) {
        List<String> pieces = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{') {
                if (depth == 0) {
                    start = i;
                }
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
                if (depth == 0) {
                    pieces.add(json.substring(start, i + 1));
                    start = -1;
                }
            }
        }
        if (start >= 0) {
            pieces.add(json.substring(start));
        }
        return pieces;
    }

    private static int firstOf(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
