package dev.dossier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.DatabaseSettings;
import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.conversations.Conversations;
import dev.dossier.persistence.conversations.NewMessage;
import dev.dossier.persistence.conversations.Role;
import dev.dossier.persistence.documents.DocumentSets;
import dev.dossier.webapp.conversations.Citations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal in real headless Chromium (Debian's, through its chromedriver): create a set,
 * upload by file chooser and by drag-and-drop, ask with a streamed answer, follow a citation to
 * the highlighted quote, run a review and export it. Screenshots go to target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(EngineCondition.class)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PortalIT {
    static final String BASE = System.getProperty("dossier.it.base-url", "http://localhost:9181");
    static final Path SCREENSHOTS = Path.of(System.getProperty("dossier.it.screenshots", "target/screenshots"));
    static final String CONTRACT = """
            MASTER SERVICES AGREEMENT
            This Agreement is made between Acme Ltd and Beta GmbH.
            Either party may terminate this Agreement on thirty days written notice.
            Liability of each party is capped at the fees paid in the last twelve months.
            This Agreement is governed by the laws of England.
            """;
    static final String NDA = """
            MUTUAL NON-DISCLOSURE AGREEMENT
            Each party shall keep the other party's Confidential Information secret for five years.
            """;

    @Deployment(testable = false)
    static WebArchive dossier() {
        return Deployments.dossier();
    }

    static ChromeDriver driver;
    static WebDriverWait wait;
    static String setUrl;

    @BeforeAll
    static void startBrowser() throws IOException {
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(90));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the portal re-renders as it updates
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    @Order(1)
    void createASetAndUploadByChooserAndByDragAndDrop() throws IOException {
        driver.get(BASE + "/");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("create-set")));
        driver.findElement(By.id("new-set-name")).sendKeys("Browser test " + UUID.randomUUID().toString().substring(0, 6));
        driver.findElement(By.id("create-set")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("drop")));
        setUrl = driver.getCurrentUrl().replaceFirst("/documents$", "");

        Path contract = Files.createTempFile("msa", ".txt");
        Files.writeString(contract, CONTRACT);
        Path named = contract.resolveSibling("msa.txt");
        Files.move(contract, named, StandardCopyOption.REPLACE_EXISTING);
        driver.findElement(By.id("file-input")).sendKeys(named.toString());
        wait.until(d -> d.findElements(By.cssSelector("#documents tr td a")).stream().anyMatch(a -> a.getText().equals("msa.txt")));

        // Drag and drop: a real drop event carrying a File, as the browser makes one.
        ((JavascriptExecutor) driver).executeScript("""
                const data = new DataTransfer();
                data.items.add(new File([arguments[0]], "nda.md", { type: "text/markdown" }));
                document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
                """, NDA);
        wait.until(d -> d.findElements(By.cssSelector("#documents tr")).size() == 2);
        assertEquals("2", driver.findElement(By.id("doc-count")).getText());
        String table = driver.findElement(By.id("documents")).getText();
        assertTrue(table.contains("nda.md") && table.contains("TXT") && table.contains("MD"), table);
        assertTrue(driver.findElement(By.id("capacity")).getText().contains("tokens"));
        screenshot("1-documents");
    }

    @Test
    @Order(2)
    void askAndWatchTheAnswerStreamIn() {
        driver.get(setUrl + "/ask");
        WebElement question = wait.until(ExpectedConditions.elementToBeClickable(By.id("question")));
        question.sendKeys("Who may terminate the agreement?");
        // stories260K can finish a whole answer between two polls of the test, so the page itself
        // records how the streaming bubble grows: several lengths seen means tokens arrived one by one.
        ((JavascriptExecutor) driver).executeScript("""
                window.streamedLengths = [];
                new MutationObserver(() => {
                    const bubble = document.getElementById("streaming-answer");
                    const length = bubble ? bubble.textContent.trim().length : 0;
                    if (length > 0 && window.streamedLengths.at(-1) !== length) window.streamedLengths.push(length);
                }).observe(document.body, { subtree: true, childList: true, characterData: true });
                """);
        driver.findElement(By.id("send")).click();
        wait.until(d -> !d.findElements(By.id("streaming-answer")).isEmpty() || !d.findElements(By.cssSelector(".msg.assistant")).isEmpty());
        screenshot("2-streaming"); // the answer may be done (and Stop hidden) by now
        wait.until(d -> d.findElements(By.id("streaming-answer")).isEmpty() && !d.findElements(By.cssSelector(".msg.assistant")).isEmpty());
        List<?> lengths = (List<?>) ((JavascriptExecutor) driver).executeScript("return window.streamedLengths;");
        assertTrue(lengths.size() > 1, "the answer grew token by token while streaming: " + lengths);
        WebElement answer = driver.findElement(By.cssSelector(".msg.assistant"));
        assertFalse(answer.getText().isBlank());
        assertFalse(driver.findElement(By.id("stop")).isDisplayed());
        // The conversation is listed and reopens.
        driver.get(setUrl + "/ask");
        wait.until(d -> d.findElements(By.cssSelector("#conversations a")).size() == 1);
        driver.findElement(By.cssSelector("#conversations a")).click();
        wait.until(d -> d.findElements(By.cssSelector(".msg.assistant")).size() == 1);
        screenshot("3-answer");
    }

    /**
     * stories260K writes stories, not citations, so the answer with citations is stored the way
     * the server stores one: its citations found and checked by the same code, against the stored text.
     */
    @Test
    @Order(3)
    void aCitationOpensTheDocumentAtTheHighlightedQuote() {
        UUID setId = UUID.fromString(setUrl.substring(setUrl.lastIndexOf('/') + 1));
        String answer = """
                Either party may end it: [msa.txt, line 3] "Either party may terminate this Agreement on thirty days written notice". \
                Liability is limited [msa.txt, line 2] "capped at the fees paid", and [nda.md, line 1] "seven years".""";
        try (Database database = Database.open(DatabaseSettings.external(System.getProperty("dossier.it.db.url"), "postgres", null))) {
            DocumentSets sets = new DocumentSets(database);
            Conversations conversations = new Conversations(database);
            List<Citation> citations = Citations.findChecked(answer, sets.documents(setId), id -> sets.document(setId, id));
            UUID conversation = conversations.create(setId, "Termination and liability").id();
            conversations.appendMessage(conversation, NewMessage.user("Who may terminate, and is liability capped?"));
            conversations.appendMessage(conversation, new NewMessage(Role.ASSISTANT, answer, null, citations));
            driver.get(setUrl + "/ask/" + conversation);
        }
        wait.until(d -> d.findElements(By.cssSelector(".msg.assistant > a.cite")).size() == 3);
        List<WebElement> inline = driver.findElements(By.cssSelector(".msg.assistant > a.cite"));
        assertEquals(List.of("verified", "found_elsewhere", "not_found"), inline.stream().map(a -> a.getDomAttribute("data-status")).toList());
        screenshot("4-citations");

        inline.getFirst().click();
        WebElement highlight = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("highlight")));
        assertEquals("Either party may terminate this Agreement on thirty days written notice", highlight.getText());
        assertTrue(driver.findElement(By.id("viewer-title")).getText().equals("msa.txt"));
        screenshot("5-viewer");
        driver.findElement(By.id("viewer-close")).click();

        inline.get(1).click(); // found on line 4, not line 2
        wait.until(d -> d.findElement(By.id("highlight")).getText().equals("capped at the fees paid"));
        assertTrue(driver.findElement(By.id("viewer-where")).getText().contains("found at line 4"));
        driver.findElement(By.id("viewer-close")).click();
    }

    @Test
    @Order(4)
    void runAContractReviewAndExportIt() throws Exception {
        driver.get(setUrl + "/reviews");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-contract"))).click();
        // stories260K answers with stories: each document becomes a visible error row with the output.
        wait.until(d -> d.findElements(By.cssSelector("#run-detail .badge.warn, #run-detail .badge.ok")).size() > 0);
        List<WebElement> errorRows = driver.findElements(By.cssSelector("#findings tr.error"));
        List<WebElement> rows = driver.findElements(By.cssSelector("#findings tr"));
        assertTrue(rows.size() >= 2, "one row per document at least");
        assertTrue(errorRows.isEmpty() || errorRows.getFirst().getText().contains("Error"));
        screenshot("6-review");

        for (String format : List.of("json", "csv", "md")) {
            String href = driver.findElement(By.id("export-" + format)).getDomProperty("href");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), format);
            assertTrue(response.headers().firstValue("Content-Disposition").orElse("").contains("attachment"), format);
            String body = response.body();
            switch (format) {
                case "json" -> assertTrue(body.contains("\"findings\"") && body.contains("CONTRACT"), body);
                case "csv" -> assertTrue(body.startsWith("file,category,location,quote,quote_status,risk,repairs,error\r\n"), body);
                default -> assertTrue(body.startsWith("# Contract review") && body.contains("| file | category |"), body);
            }
        }
    }

    private static void screenshot(String name) {
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
