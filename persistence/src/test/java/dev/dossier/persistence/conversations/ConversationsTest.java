package dev.dossier.persistence.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dossier.persistence.FreshDatabase;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConversationsTest {

    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    private final DocumentSets sets = new DocumentSets(fresh.database());
    private final Conversations conversations = new Conversations(fresh.database());

    @Test
    void createsListsAndDeletesConversationsOfASet() {
        UUID setId = sets.create("contracts").id();
        ConversationView first = conversations.create(setId, " Termination clauses ");
        ConversationView second = conversations.create(setId, "Liability");
        conversations.create(sets.create("other").id(), "Elsewhere");

        assertEquals("Termination clauses", first.title());
        assertEquals(setId, first.setId());
        assertEquals(List.of(second, first), conversations.list(setId));

        conversations.delete(setId, first.id());
        assertEquals(List.of(second), conversations.list(setId));
        assertThrows(NotFoundException.class, () -> conversations.delete(setId, first.id()));
        assertThrows(NotFoundException.class, () -> conversations.delete(UUID.randomUUID(), second.id()));
    }

    @Test
    void messagesAreAppendedInSequenceWithStatsAndCitations() {
        UUID setId = sets.create("review").id();
        UUID conversationId = conversations.create(setId, "Payment terms").id();
        UUID documentId = UUID.randomUUID();
        List<Citation> citations = List.of(
                new Citation(documentId, "contract.pdf", "p. 3", "payable within 30 days", Citation.Status.VERIFIED),
                new Citation(documentId, "contract.pdf", "lines 10-14", "late fee", Citation.Status.FOUND_ELSEWHERE),
                new Citation(null, "annex.docx", "p. 1", "penalty", Citation.Status.NOT_FOUND));
        GenerationStats stats = new GenerationStats(31_000, 120, 30_950, "stop", 850L, 4_200L);

        MessageView question = conversations.appendMessage(conversationId, NewMessage.user("When is payment due?"));
        MessageView answer = conversations.appendMessage(conversationId,
                new NewMessage(Role.ASSISTANT, "Within 30 days [contract.pdf, p. 3].", stats, citations));
        MessageView unfinished = conversations.appendMessage(conversationId,
                new NewMessage(Role.ASSISTANT, "", new GenerationStats(null, null, null, "cancelled", null, 10L), null));

        assertEquals(List.of(0, 1, 2), List.of(question.sequence(), answer.sequence(), unfinished.sequence()));
        ConversationWithMessages read = conversations.find(setId, conversationId).orElseThrow();
        assertEquals(conversations.list(setId).getFirst(), read.conversation());
        assertEquals(List.of(question, answer, unfinished), read.messages());
        assertNull(read.messages().getFirst().stats());
        assertEquals(stats, read.messages().get(1).stats());
        assertEquals(citations, read.messages().get(1).citations());
        assertEquals("VERIFIED", fresh.string("select citations -> 0 ->> 'status' from message where id = ?", answer.id()));
    }

    @Test
    void concurrentAppendsGetDistinctSequenceNumbers() throws Exception {
        UUID setId = sets.create("busy").id();
        UUID conversationId = conversations.create(setId, "Many voices").id();
        int messages = 16;
        try (ExecutorService executor = Executors.newFixedThreadPool(8)) {
            List<Future<MessageView>> results = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                String text = "message " + i;
                results.add(executor.submit(() -> conversations.appendMessage(conversationId, NewMessage.user(text))));
            }
            for (Future<MessageView> result : results) {
                result.get();
            }
        }
        List<Integer> sequences = conversations.find(setId, conversationId).orElseThrow().messages().stream()
                .map(MessageView::sequence)
                .toList();
        assertEquals(IntStream.range(0, messages).boxed().toList(), sequences);
    }

    @Test
    void conversationsAreFoundOnlyInTheirSet() {
        UUID setId = sets.create("mine").id();
        UUID conversationId = conversations.create(setId, "Question").id();
        assertEquals(List.of(), conversations.find(setId, conversationId).orElseThrow().messages());
        assertEquals(Optional.empty(), conversations.find(sets.create("not mine").id(), conversationId));
        assertEquals(Optional.empty(), conversations.find(setId, UUID.randomUUID()));
    }

    @Test
    void missingTargetsAndInvalidInputAreRejected() {
        UUID setId = sets.create("strict").id();
        UUID conversationId = conversations.create(setId, "Question").id();
        assertThrows(NotFoundException.class, () -> conversations.create(UUID.randomUUID(), "Orphan"));
        assertThrows(NotFoundException.class, () -> conversations.list(UUID.randomUUID()));
        assertThrows(NotFoundException.class,
                () -> conversations.appendMessage(UUID.randomUUID(), NewMessage.user("Anyone?")));
        assertThrows(IllegalArgumentException.class, () -> conversations.create(setId, " "));
        assertThrows(IllegalArgumentException.class,
                () -> conversations.appendMessage(conversationId, new NewMessage(null, "who?", null, null)));
        assertEquals(List.of(), conversations.find(setId, conversationId).orElseThrow().messages());
    }
}
