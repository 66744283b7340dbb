package dev.dossier.runtime.attention;

/** Keys {@code [keyStart, keyEnd)} seen by a query rotated at {@code queryPosition}. */
public record AttentionPart(int keyStart, int keyEnd, int queryPosition) {
}
