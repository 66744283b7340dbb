package dev.dossier.webapp.reviews;

import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;

/**
 * The review agents' LangChain4j AI service: the whole document set as the system message (the
 * same one questions use, so the set's prefix cache serves it too), the task as the user message.
 * It returns the model's raw text, a JSON array by the task's request, which {@link FindingReader}
 * reads item by item, repairing what it can and reporting the rest as error rows, where a typed
 * return value would fail the whole answer on the first malformed item.
 */
interface Reviewer {
    @SystemMessage("{{documents}}")
    String review(@V("documents") String documents, @UserMessage String task);
}
