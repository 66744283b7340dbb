package dev.dossier.webapp.reviews;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.reviews.ReviewFinding;
import dev.dossier.persistence.reviews.ReviewRun;
import dev.dossier.persistence.reviews.ReviewRunView;
import dev.dossier.webapp.chat.ChatModels;
import dev.dossier.webapp.documentsets.SetPrompt;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.problems.ApiException;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.AiServices;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The review agents. Each reads the WHOLE document set in context (the same system prompt as
 * questions, so the prefix cache serves it), through LangChain4j's {@code ChatModel}:
 * a contract review asks once per document for its clauses by category, a code review asks once
 * for findings over the codebase. The answers are JSON the {@link FindingReader} reads, repairs
 * and checks; runs go on in the background and are stored as they progress.
 */
@ApplicationScoped
public class ReviewService {
    private static final Logger LOG = Logger.getLogger(ReviewService.class.getName());

    static final String CONTRACT_TASK = """
            Review the contract "%s" from the documents above. List its clauses as a JSON array, nothing else. \
            Each item: {"category": one of %s, "quote": the exact words of the clause, "location": where it is \
            (for example "p. 2" or "¶ 4"), "risk": a short risk note}. Use "unusual" for anything else worth flagging.""";

    static final String CODE_TASK = """
            Review the codebase above. List the problems you find as a JSON array, nothing else. Each item: \
            {"file": the file's path, "lines": "start-end", "severity": one of %s, "category": one of %s, \
            "quote": the exact code, "explanation": what is wrong and why}.""";

    @Inject
    Platform platform;

    @Inject
    ChatModels models;

    @Inject
    SetPrompt prompts;

    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "dossier.review.max-tokens", defaultValue = "1024")
    int defaultMaxTokens;

    /** Starts a run and returns it at once; the agent works in the background. */
    public ReviewRunView start(UUID setId, ReviewRun.Kind kind, Integer maxTokens) {
        DocumentSetView set = platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
        List<DocumentView> documents = platform.documentSets().documents(setId);
        if (documents.isEmpty()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "the document set has no documents to review");
        }
        int answerTokens = maxTokens != null && maxTokens > 0 ? maxTokens : defaultMaxTokens;
        String system = prompts.systemPrompt(setId);
        models.requireFits(List.of(SystemMessage.from(system), UserMessage.from(CODE_TASK)), answerTokens);
        int total = kind == ReviewRun.Kind.CONTRACT ? documents.size() : 1;
        ReviewRunView run = platform.reviews().start(setId, kind, set.contentVersion(), models.modelName(), total);
        executor.submit(() -> execute(run, setId, kind, system, documents, answerTokens));
        return run;
    }

    private void execute(ReviewRunView run, UUID setId, ReviewRun.Kind kind, String system, List<DocumentView> documents, int maxTokens) {
        try {
            FindingReader reader = new FindingReader(documents, id -> platform.documentSets().document(setId, id));
            Reviewer reviewer = reviewer(maxTokens);
            if (kind == ReviewRun.Kind.CONTRACT) {
                int done = 0;
                for (DocumentView document : documents) {
                    List<ReviewFinding> rows;
                    try {
                        String output = ask(reviewer, system, CONTRACT_TASK.formatted(document.path(), String.join(", ", Categories.CONTRACT)));
                        rows = reader.contract(output, document);
                    } catch (RuntimeException e) {
                        // One document's failure is its own error row; the others are still reviewed.
                        rows = List.of(ReviewFinding.error(document.id(), document.path(), "the model failed: " + e.getMessage(), ""));
                    }
                    platform.reviews().addFindings(run.id(), rows, ++done);
                }
            } else {
                String output = ask(reviewer, system, CODE_TASK.formatted(String.join(", ", Categories.SEVERITIES), String.join(", ", Categories.CODE)));
                platform.reviews().addFindings(run.id(), reader.code(output), 1);
            }
            platform.reviews().finish(run.id(), ReviewRun.Status.COMPLETED, null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "review run " + run.id() + " failed", e);
            try {
                platform.reviews().finish(run.id(), ReviewRun.Status.FAILED, String.valueOf(e.getMessage()));
            } catch (RuntimeException ignored) {
                // the set was deleted meanwhile
            }
        }
    }

    private String ask(Reviewer reviewer, String system, String task) {
        String text = reviewer.review(system, task);
        return text == null ? "" : text;
    }

    /** Greedy decoding and the run's answer length for every request the agent makes. */
    private Reviewer reviewer(int maxTokens) {
        return AiServices.builder(Reviewer.class)
                .chatModel(models.chatModel())
                .chatRequestTransformer(request -> ChatRequest.builder()
                        .messages(request.messages())
                        .parameters(ChatRequestParameters.builder().maxOutputTokens(maxTokens).temperature(0.0).build())
                        .build())
                .build();
    }
}
