package dev.dossier.it;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engine a run of the suite selects ({@code -Ddossier.it.engine}, with the server's
 * {@code DOSSIER_ENGINE} set to match): {@code java} runs everywhere; {@code onnx}, the accelerated
 * engine, only where a GPU and ONNX Runtime's CUDA native are found (or with
 * {@code -Ddossier.it.device=cpu}, on the CPU provider, everywhere). Elsewhere each class is
 * reported as skipped with the reason, before Arquillian starts a server for it.
 */
final class EngineCondition implements ExecutionCondition {
    private static volatile boolean told;

    static String selected() {
        return System.getProperty("dossier.it.engine", "java");
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String engine = selected();
        if (engine.equals("java")) {
            return ConditionEvaluationResult.enabled("the java engine runs on every machine");
        }
        if (System.getProperty("dossier.it.device", "cuda").equals("cpu")) {
            return ConditionEvaluationResult.enabled("engine " + engine + " on ONNX Runtime's CPU provider runs on every machine");
        }
        Optional<String> missing = Accelerator.missing();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("engine " + engine + ": GPU and ONNX Runtime CUDA native found");
        }
        String reason = "GPU suite (dossier.engine=" + engine + ") skipped: " + missing.get();
        if (!told) {
            told = true;
            System.err.println(reason); // the reports hold it too; say it once where the build's output shows it
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
