package dev.dossier.persistence.conversations;

import jakarta.persistence.Embeddable;

/**
 * How a generated message came about; every field may be unknown ({@code null}).
 *
 * @param cachedPromptTokens prompt tokens served from the prefix cache
 * @param finishReason why generation stopped, e.g. "stop" or "length"
 */
@Embeddable
public record GenerationStats(
        Integer promptTokens,
        Integer completionTokens,
        Integer cachedPromptTokens,
        String finishReason,
        Long timeToFirstTokenMillis,
        Long totalMillis) {
}
