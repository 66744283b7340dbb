package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
    private static final Pattern TURN = Pattern.compile("\\[turn (\\d+): (\\d+) prompt tokens, (\\d+) reused");

    @Test
    void answersAndExits() {
        Cli.Result result = Cli.runWithInput("Hi\n/exit\n", "chat", "--model", Cli.model(),
                "--temperature", "0", "--max-tokens", "16");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().startsWith("> "), result.out());
        assertEquals(1, turns(result.err()).size(), result.err());
    }

    @Test
    void laterTurnsReuseTheCachedConversation() {
        Cli.Result result = Cli.runWithInput("Hi\nTell me a story.\n", "chat", "--model", Cli.model(),
                "--system", "You tell stories.", "--seed", "3", "--max-tokens", "16");
        assertEquals(0, result.exitCode(), result.err()); // end of input exits too
        List<int[]> turns = turns(result.err());
        assertEquals(2, turns.size(), result.err());
        assertEquals(0, turns.get(0)[2]);
        assertTrue(turns.get(1)[2] > turns.get(0)[1], "turn 2 should reuse all of turn 1: " + result.err());
    }

    @Test
    void resetStartsANewConversation() {
        Cli.Result result = Cli.runWithInput("Hi\n/reset\nHi\n/exit\n", "chat", "--model", Cli.model(),
                "--temperature", "0", "--max-tokens", "8");
        assertEquals(0, result.exitCode(), result.err());
        List<int[]> turns = turns(result.err());
        assertEquals(2, turns.size(), result.err());
        assertEquals(turns.get(0)[1], turns.get(1)[1], "after /reset the prompt is just the new message");
    }

    /** Each turn's {number, prompt tokens, reused tokens}. */
    private static List<int[]> turns(String err) {
        Matcher matcher = TURN.matcher(err);
        return matcher.results()
                .map(m -> new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))})
                .toList();
    }
}
