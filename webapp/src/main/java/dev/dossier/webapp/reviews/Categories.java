package dev.dossier.webapp.reviews;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The categories and severities of the review agents, and the mapping of what a model writes onto them. */
public final class Categories {

    public static final List<String> CONTRACT = List.of("parties", "term_and_renewal", "termination", "payment", "liability_cap",
            "indemnity", "confidentiality", "intellectual_property", "governing_law", "assignment", "unusual");

    public static final List<String> CODE = List.of("security", "correctness", "concurrency", "performance", "error_handling",
            "resource_leak", "maintainability", "style", "testing", "documentation");

    public static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");

    /** Words (letters only, lower case) a model may use, each with the category it means; checked in order. */
    private static final Map<String, String> CONTRACT_WORDS = words(
            "terminat", "termination", "cancel", "termination",
            "part", "parties", "signator", "parties",
            "renew", "term_and_renewal", "duration", "term_and_renewal", "term", "term_and_renewal",
            "pay", "payment", "fee", "payment", "price", "payment", "invoice", "payment", "compensation", "payment",
            "liabil", "liability_cap", "cap", "liability_cap", "damages", "liability_cap",
            "indemn", "indemnity", "holdharmless", "indemnity",
            "confiden", "confidentiality", "nondisclosure", "confidentiality", "nda", "confidentiality",
            "intellectual", "intellectual_property", "ip", "intellectual_property", "copyright", "intellectual_property",
            "licen", "intellectual_property", "ownership", "intellectual_property",
            "governing", "governing_law", "law", "governing_law", "jurisdiction", "governing_law", "venue", "governing_law",
            "assign", "assignment", "transfer", "assignment", "changeofcontrol", "assignment",
            "unusual", "unusual", "other", "unusual", "misc", "unusual", "risk", "unusual");

    private static final Map<String, String> CODE_WORDS = words(
            "secur", "security", "vulnerab", "security", "inject", "security", "xss", "security", "auth", "security",
            "crypt", "security", "secret", "security",
            "bug", "correctness", "correct", "correctness", "logic", "correctness", "nullpointer", "correctness",
            "null", "correctness", "overflow", "correctness",
            "concurren", "concurrency", "race", "concurrency", "thread", "concurrency", "deadlock", "concurrency", "sync", "concurrency",
            "perf", "performance", "slow", "performance", "complexity", "performance",
            "error", "error_handling", "exception", "error_handling",
            "leak", "resource_leak", "resource", "resource_leak",
            "maintain", "maintainability", "design", "maintainability", "readab", "maintainability", "duplicat", "maintainability",
            "style", "style", "naming", "style", "format", "style",
            "test", "testing",
            "doc", "documentation", "comment", "documentation");

    private static final Map<String, String> SEVERITY_WORDS = words(
            "critical", "critical", "blocker", "critical", "severe", "critical",
            "high", "high", "major", "high", "error", "high", "important", "high",
            "medium", "medium", "moderate", "medium", "warn", "medium", "normal", "medium",
            "low", "low", "minor", "low", "trivial", "low",
            "info", "info", "note", "info", "suggestion", "info", "nit", "info");

    /** Words that only count as the whole category, never inside another word ("standard" is no NDA). */
    private static final java.util.Set<String> EXACT_ONLY = java.util.Set.of("nda", "ip");

    /** What a category or severity became: the value, and whether that took a mapping. */
    public record Mapped(String value, boolean mapped) {
    }

    private Categories() {
    }

    public static Optional<Mapped> contract(String written) {
        return map(written, CONTRACT, CONTRACT_WORDS);
    }

    public static Optional<Mapped> code(String written) {
        return map(written, CODE, CODE_WORDS);
    }

    public static Optional<Mapped> severity(String written) {
        return map(written, SEVERITIES, SEVERITY_WORDS);
    }

    private static Optional<Mapped> map(String written, List<String> known, Map<String, String> words) {
        if (written == null || written.isBlank()) {
            return Optional.empty();
        }
        String snake = written.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        if (known.contains(snake)) {
            return Optional.of(new Mapped(snake, false));
        }
        String letters = snake.replace("_", "");
        if (words.containsKey(letters)) {
            return Optional.of(new Mapped(words.get(letters), true));
        }
        for (var word : words.entrySet()) {
            // Short words ("ip", "nda") only as the whole category, never inside another word.
            if (word.getKey().length() >= 3 && !EXACT_ONLY.contains(word.getKey()) && letters.contains(word.getKey())) {
                return Optional.of(new Mapped(word.getValue(), true));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> words(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
