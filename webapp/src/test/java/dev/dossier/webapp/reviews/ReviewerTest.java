package dev.dossier.webapp.reviews;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.reviews.ReviewFinding;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.langchain4j.DossierChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.AiServices;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The review agent's AI service on the real stories260K model: a story model writes stories, not
 * JSON, which is exactly the malformed output the agent must report per item instead of failing.
 */
class ReviewerTest {

    @Test
    void aStoryInsteadOfJsonBecomesAnErrorRowWithTheModelsOutput() throws Exception {
        Path model = Path.of(System.getProperty("dossier.shared", "../../shared"), "models/stories260K.gguf");
        try (LocalModel local = LocalModel.load(model, EngineKind.JAVA, AttentionConfig.dcaDefaults(512), 2048)) {
            Reviewer reviewer = AiServices.builder(Reviewer.class)
                    .chatModel(DossierChatModel.builder().localModel(local).modelName("stories260K").build())
                    .chatRequestTransformer(request -> ChatRequest.builder().messages(request.messages())
                            .parameters(ChatRequestParameters.builder().maxOutputTokens(40).temperature(0.0).build()).build())
                    .build();
            String output = reviewer.review("<document 1: msa.txt (text/plain)>\n1| Either party may terminate.\n</document 1>",
                    "Review the contract \"msa.txt\". List its clauses as a JSON array.");
            assertFalse(output.isBlank());

            DocumentView msa = new DocumentView(UUID.randomUUID(), UUID.randomUUID(), 0, "msa.txt", "text/plain", 30, "0".repeat(64), 10, Instant.now());
            List<ReviewFinding> rows = new FindingReader(List.of(msa), id -> Optional.empty()).contract(output, msa);
            assertEquals(1, rows.size(), rows.toString());
            assertTrue(rows.getFirst().hasError());
            assertTrue(rows.getFirst().raw().contains(output.strip().substring(0, 10)), "the error row keeps what the model wrote");
        }
    }
}
