package dev.stigmer.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser (headless chromium) against a real stack: Temporal, an HTTP
 * service, a worker-like service and a one-shot. In order: what the page shows, then what its
 * buttons do, then the daemon going away under it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Duration LIVE = Duration.ofSeconds(10);
    private static DashboardStack stack;
    private static Browser browser;
    private static String base;

    @BeforeAll
    static void openThePage() throws IOException {
        stack = DashboardStack.start(Integer.toString(Stack.freePort()));
        browser = Browser.open(1280, 1500);
        String url = stack.uiUrl();
        base = url.substring(0, url.indexOf('?'));
        browser.driver.get(url);
        // Marks this document: a reload would lose it.
        browser.driver.executeScript("window.stigmerNoReload = 'still here';");
    }

    @AfterAll
    static void close() throws IOException {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @Test
    @Order(1)
    void everyComponentIsShownWithItsStateAndPid() {
        for (var expected : Map.of("temporal", "running", "migrate", "completed", "web", "running", "worker", "running")
                .entrySet()) {
            await().atMost(LIVE).untilAsserted(() ->
                    assertThat(cell(expected.getKey(), ".state").getText()).isEqualTo(expected.getValue()));
        }
        assertThat(cell("web", ".pid").getText()).isEqualTo(Long.toString(stack.stack.pid("web")));
        assertThat(cell("migrate", ".pid").getText()).isEqualTo("–");
        assertThat(row("web").findElement(By.cssSelector(".address a")).getAttribute("href"))
                .isEqualTo("http://127.0.0.1:" + stack.webPort + "/");
        assertThat(row("web").findElement(By.cssSelector(".kind")).getText()).isEqualTo("service");
        assertThat(cell("migrate", ".details").getText()).contains("last exit").contains("migrated the schema");
        assertThat(browser.driver.findElement(By.id("daemon")).getText()).contains("daemon pid " + stack.stack.daemonPid());
        // The token is in the cookie now, not in the address bar or history.
        assertThat(browser.driver.getCurrentUrl()).doesNotContain("token");
    }

    @Test
    @Order(2)
    void theGraphShowsEachEdgeWithItsCondition() {
        await().atMost(LIVE).untilAsserted(() -> assertThat(browser.driver.findElements(By.cssSelector("#edges li")))
                .extracting(WebElement::getText)
                .contains("web → migrate (completed)", "worker → web (healthy)", "worker → temporal (healthy, restart)"));
        List<String> labels = browser.driver.findElements(By.cssSelector("#graph svg .edge text")).stream()
                .map(e -> e.getAttribute("textContent")).toList();
        assertThat(labels).contains("completed", "healthy", "healthy, restart");
    }

    @Test
    @Order(3)
    void temporalShowsItsAddressTheEnvLinesAndTheEmbeddedNote() {
        await().atMost(LIVE).untilAsserted(() -> assertThat(browser.driver.findElement(By.id("env-lines")).getText())
                .contains("export TEMPORAL_ADDRESS=127.0.0.1:" + stack.stack.port)
                .contains("export TEMPORAL_NAMESPACE=default"));
        assertThat(browser.driver.findElement(By.id("temporal")).getText()).contains("embedded");
        assertThat(browser.driver.findElement(By.id("temporal-ui")).getText()).contains("`stigmer temporal install`");
        assertThat(browser.driver.findElement(By.id("copy-env")).isDisplayed()).isTrue();
    }

    @Test
    @Order(4)
    void aKillNineShowsTheNewPidWithoutAReload() throws Exception {
        long old = stack.stack.pid("web");
        new ProcessBuilder("kill", "-9", Long.toString(old)).start().waitFor();
        await().atMost(LIVE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            String shown = cell("web", ".pid").getText();
            assertThat(shown).isNotEqualTo(Long.toString(old)).isNotEqualTo("–");
            assertThat(cell("web", ".state").getText()).isEqualTo("running");
        });
        assertThat(cell("web", ".pid").getText()).isEqualTo(Long.toString(stack.stack.pid("web")));
        assertThat(browser.driver.executeScript("return window.stigmerNoReload;")).isEqualTo("still here");
    }

    @Test
    @Order(5)
    void theRestartButtonGivesANewPid() {
        String old = cell("worker", ".pid").getText();
        button("Restart worker").click();
        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(cell("worker", ".pid").getText()).isNotEqualTo(old).isNotEqualTo("–");
            assertThat(cell("worker", ".state").getText()).isEqualTo("running");
        });
        assertThat(cell("worker", ".pid").getText()).isEqualTo(Long.toString(stack.stack.pid("worker")));
    }

    @Test
    @Order(6)
    void aWatchedServiceShowsItsLastTriggerAndRebuildResult() throws Exception {
        String old = cell("worker", ".pid").getText();
        Files.writeString(stack.project.resolve("src/build.sh"), "echo 'error: ; expected'; exit 3\n");
        await().atMost(LIVE).untilAsserted(() -> assertThat(cell("worker", ".details").getText())
                .contains("last change " + stack.project.resolve("src/build.sh"))
                .contains("rebuild: failed (exit 3)").contains("last error: rebuild"));
        assertThat(cell("worker", ".pid").getText()).as("the old process runs on").isEqualTo(old);
        Files.writeString(stack.project.resolve("src/build.sh"), "echo ok\n");
        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(cell("worker", ".details").getText()).contains("rebuild: ok in");
            assertThat(cell("worker", ".pid").getText()).isNotEqualTo(old).isNotEqualTo("–");
            assertThat(cell("worker", ".state").getText()).isEqualTo("running"); // ready again, for the next test too
        });
    }

    @Test
    @Order(7)
    void stopAsksFirstThenStops() {
        button("Stop worker").click();
        WebElement dialog = browser.driver.findElement(By.id("confirm"));
        assertThat(dialog.isDisplayed()).isTrue();
        assertThat(dialog.getText()).contains("Stop worker?");
        browser.driver.findElement(By.id("confirm-cancel")).click();
        assertThat(dialog.isDisplayed()).isFalse();
        assertThat(stack.stack.state("worker")).isEqualTo("running");

        button("Stop worker").click();
        browser.driver.findElement(By.id("confirm-ok")).click();
        await().atMost(LIVE).untilAsserted(() -> assertThat(cell("worker", ".state").getText()).isEqualTo("stopped"));
        assertThat(stack.stack.state("worker")).isEqualTo("stopped");

        button("Start worker").click();
        await().atMost(LIVE).untilAsserted(() -> assertThat(cell("worker", ".state").getText()).isEqualTo("running"));
    }

    @Test
    @Order(8)
    void theLogViewShowsALineThenALineWrittenAfterThePageOpened() throws IOException {
        browser.driver.findElement(By.cssSelector("#log-name option[value='worker']")).click();
        int ticks = lastTick(Files.readString(stack.stack.stigmerHome().logFile("worker")));
        await().atMost(LIVE).untilAsserted(() -> assertThat(logText()).contains("worker tick " + ticks));
        // Written only now, after the page opened its view: it arrives without a reload.
        await().atMost(LIVE).untilAsserted(() -> assertThat(logText()).contains("worker tick " + (ticks + 2)));
        assertThat(browser.driver.getCurrentUrl()).contains("log=worker");
    }

    @Test
    @Order(9)
    void theFilterInTheUrlFiltersAndALinkReproducesTheView() {
        browser.driver.get(base + "?log=worker&filter=%2Ftick+%5B0-9%5D*5%24%2F"); // /tick [0-9]*5$/
        await().atMost(LIVE).untilAsserted(() -> {
            List<String> lines = logLines();
            assertThat(lines).isNotEmpty().allMatch(line -> line.matches("worker tick [0-9]*5"));
        });
        assertThat(browser.driver.findElement(By.id("log-filter")).getAttribute("value")).isEqualTo("/tick [0-9]*5$/");
        assertThat(browser.driver.findElement(By.id("log-name")).getAttribute("value")).isEqualTo("worker");

        browser.driver.get(base + "?filter=migrated"); // every component's log, a plain text filter
        await().atMost(LIVE).untilAsserted(() -> assertThat(logLines()).containsExactly("migrate | migrated the schema"));
    }

    @Test
    @Order(10)
    void axeFindsNoSeriousOrCriticalViolationsAndTheLayoutFitsAt200PercentZoom() throws Exception {
        browser.driver.get(base);
        await().atMost(LIVE).untilAsserted(() -> assertThat(cell("worker", ".state").getText()).isEqualTo("running"));
        await().atMost(LIVE).untilAsserted(() -> assertThat(logLines().size()).isGreaterThan(8));
        await().atMost(LIVE).untilAsserted(() -> assertThat(browser.driver.findElements(By.cssSelector("#edges li"))).isNotEmpty());
        screenshotForTheDocs();
        browser.driver.executeScript(Browser.axeScript());
        Object result = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(
                    r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))),
                  e => done('axe failed: ' + e));
                """);
        assertThat(result).isEqualTo("[]");
        // 200% zoom of a 1280 px window is a 640 px viewport: the page reflows, nothing needs a sideways scroll.
        browser.driver.manage().window().setSize(new Dimension(640, 1200));
        Object overflow = browser.driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).longValue()).isLessThanOrEqualTo(0);
        browser.driver.manage().window().setSize(new Dimension(1280, 1500));
    }

    @Test
    @Order(11)
    void aBannerSaysWhenTheDaemonGoesAwayAndThePageReconnectsToTheNextOne() throws Exception {
        long before = stack.stack.daemonPid();
        browser.driver.executeScript("window.stigmerNoReload = 'still here';");
        CliResult stop = stack.stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        await().atMost(LIVE).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(browser.driver.findElement(By.id("banner")).getText()).contains("not answering"));
        // A new daemon, on the same dashboard port: the page finds it as soon as it listens.
        var start = java.util.concurrent.CompletableFuture.supplyAsync(() -> stack.stack.start());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(browser.driver.findElement(By.id("banner")).getText()).contains("restarted")
                        .contains("pid " + before + " → "));
        start.get();
        long after = stack.stack.daemonPid();
        assertThat(after).isNotEqualTo(before);
        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(browser.driver.findElement(By.id("daemon")).getText()).contains("daemon pid " + after);
            assertThat(cell("web", ".pid").getText()).isEqualTo(Long.toString(stack.stack.pid("web")));
        });
        assertThat(browser.driver.executeScript("return window.stigmerNoReload;")).isEqualTo("still here");
    }

    private static WebElement row(String name) {
        return browser.driver.findElement(By.cssSelector("#components tr[data-name='" + name + "']"));
    }

    private static WebElement cell(String name, String selector) {
        return row(name).findElement(By.cssSelector(selector));
    }

    private static WebElement button(String label) {
        return browser.driver.findElement(By.cssSelector("button[aria-label='" + label + "']"));
    }

    private static String logText() {
        return browser.driver.findElement(By.id("log")).getText();
    }

    private static List<String> logLines() {
        return browser.driver.findElements(By.cssSelector("#log .line")).stream().map(WebElement::getText).toList();
    }

    private static int lastTick(String log) {
        Matcher tick = Pattern.compile("worker tick (\\d+)").matcher(log);
        int last = 0;
        while (tick.find()) {
            last = Integer.parseInt(tick.group(1));
        }
        return last;
    }

    /** With -Dstigmer.screenshot=true: docs/dashboard.png, the picture the README shows. */
    private static void screenshotForTheDocs() throws IOException {
        if (!Boolean.getBoolean("stigmer.screenshot")) {
            return;
        }
        Path shot = browser.driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Stack.ROOT.resolve("docs/dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
