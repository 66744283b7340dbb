package dev.dossier.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import org.junit.jupiter.api.Test;

class EngineKindTest {

    @Test
    void parsesEachEngineByItsId() {
        assertEquals(EngineKind.JAVA, EngineKind.parse("java"));
        assertEquals(EngineKind.ONNX, EngineKind.parse("onnx"));
    }

    @Test
    void ignoresCaseAndSurroundingSpace() {
        assertEquals(EngineKind.JAVA, EngineKind.parse("Java"));
        assertEquals(EngineKind.ONNX, EngineKind.parse(" ONNX "));
    }

    @Test
    void refusesAnythingElseListingTheChoices() {
        for (String bad : new String[] {"cuda", "", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineKind.parse(bad));
            assertEquals("unknown engine '" + bad + "': choose one of java, onnx", e.getMessage());
        }
    }

    @Test
    void theJavaEngineMakesJavaSessionsThatComputeTheSameLogits() throws Exception {
        AttentionConfig attention = AttentionConfig.dcaDefaults(512);
        try (Llama model = Llama.load(Fixtures.stories260K()); Engine engine = EngineKind.JAVA.open(model)) {
            assertEquals("java", engine.name());
            assertEquals(model, engine.model());
            Session session = engine.newSession(attention, 16);
            assertTrue(session instanceof JavaSession, session.getClass().getName());
            assertEquals(16, session.capacity());
            assertEquals(attention, session.attentionConfig());
            int bos = model.tokenizer().bos();
            assertArrayEquals(new JavaSession(model, attention, 16).next(bos), session.next(bos));
        }
    }
}
