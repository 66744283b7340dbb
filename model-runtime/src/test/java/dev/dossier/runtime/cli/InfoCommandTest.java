package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InfoCommandTest {

    @Test
    void showsSizesTrainingContextAndDcaDefaults() {
        Cli.Result result = Cli.run("info", "--model", Cli.model());
        assertEquals(0, result.exitCode(), result.err());
        String out = result.out();
        for (String expected : new String[] {"architecture      llama", "embedding         64", "layers            5",
                "heads             8", "kv heads          4", "head size         8", "feed-forward      172",
                "vocabulary        512", "tensor types      F32 x", "training context  512 tokens", "rope base         10000",
                "dca chunk size    384", "dca local window  64", "dca chunk length  320", "default context   16384 tokens",
                // 5 layers x 4 KV heads x 8 dimensions, keys and values, 2 or 4 bytes each
                "kv cache          640 bytes per token in F16 (--kv-cache, default), 1.3 kB in F32; 10.5 MB for 16384 tokens in F16",
                "engines           java, onnx"}) {
            assertTrue(out.contains(expected), () -> "missing '" + expected + "' in\n" + out);
        }
    }

    @Test
    void helpAndVersionWork() {
        for (String command : new String[] {"info", "tokenize", "generate", "chat", "perplexity"}) {
            Cli.Result help = Cli.run(command, "--help");
            assertEquals(0, help.exitCode());
            assertTrue(help.out().contains("--model"), help.out());
        }
        Cli.Result version = Cli.run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("dossier "), version.out());
    }
}
