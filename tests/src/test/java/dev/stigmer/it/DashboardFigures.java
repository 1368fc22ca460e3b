package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * The dashboard's figures (a benchmark, not a timed test: nothing is asserted about them). Run by
 * hand: {@code ./test -pl core,stackfile,daemon,cli,embedded,tests -Dtest=DashboardFigures
 * -Dstigmer.figures=true -Dsurefire.failIfNoSpecifiedTests=false}; prints its table.
 */
@EnabledIfSystemProperty(named = "stigmer.figures", matches = "true")
@ExtendWith(StackExtension.class)
class DashboardFigures {
    private static final String IDLE_STACK = """
            services:
              idle:
                command: while true; do sleep 1; done
            """;

    @Test
    void killNineToTheNewPidInThePage(Stack stack) throws Exception {
        stack.env.put("STIGMER_DASHBOARD_PORT", "0");
        stack.project(IDLE_STACK);
        stack.start();
        String url = uiUrl(stack);
        List<Long> millis = new ArrayList<>();
        try (Browser browser = Browser.open(1280, 1000)) {
            browser.driver.get(url);
            await().atMost(Duration.ofSeconds(20)).until(() -> !browser.driver.findElements(
                    By.cssSelector("#components tr[data-name='idle'] .pid")).isEmpty());
            for (int round = 0; round < 10; round++) {
                long old = stack.pid("idle");
                await().atMost(Duration.ofSeconds(20)).until(() -> browser.driver.findElement(
                        By.cssSelector("#components tr[data-name='idle'] .pid")).getText().equals(Long.toString(old)));
                // The page notes, on its own clock (the machine's), when the cell first shows another pid.
                browser.driver.executeScript("""
                        const cell = document.querySelector("#components tr[data-name='idle'] .pid");
                        window.shownAt = 0;
                        new MutationObserver((changes, observer) => {
                          if (cell.textContent !== arguments[0] && cell.textContent !== '–') {
                            window.shownAt = Date.now(); observer.disconnect();
                          }
                        }).observe(cell, {childList: true, characterData: true, subtree: true});
                        """, Long.toString(old));
                long killedAt = System.currentTimeMillis();
                new ProcessBuilder("kill", "-9", Long.toString(old)).start().waitFor();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                        ((Number) browser.driver.executeScript("return window.shownAt;")).longValue() > 0);
                long shownAt = ((Number) browser.driver.executeScript("return window.shownAt;")).longValue();
                millis.add(shownAt - killedAt);
                await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(stack.state("idle")));
                Thread.sleep(11_000); // stable for 10 s: the next crash is restarted at once, not after a backoff
            }
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf("FIGURE kill -9 to the new pid in the page's DOM: median %d ms, max %d ms (%s)%n",
                (sorted.get(4) + sorted.get(5)) / 2, sorted.getLast(), millis);
    }

    @Test
    void daemonRssIdleWithTheDashboardOnAndOff(Stack stack) throws Exception {
        stack.project(IDLE_STACK);
        stack.env.remove("STIGMER_HEALTH_INTERVAL");
        stack.env.remove("STIGMER_HEALTH_TIMEOUT");
        for (String setting : List.of("off", "0", "off", "0")) {
            stack.env.put("STIGMER_DASHBOARD_PORT", setting);
            stack.start();
            Thread.sleep(20_000); // settled: start-up garbage collected, the heap trimmed (every 5 s)
            long[] rss = new long[5];
            for (int i = 0; i < rss.length; i++) {
                rss[i] = rssKb(stack.daemonPid());
                Thread.sleep(1000);
            }
            java.util.Arrays.sort(rss);
            System.out.printf("FIGURE daemon RSS idle, dashboard %s, no page: %.1f MB%n",
                    setting.equals("off") ? "off" : "on", rss[2] / 1024.0);
            stack.run("local", "stop");
        }
    }

    @Test
    void daemonCpuWithTenPagesOpenAndNothingHappening(Stack stack) throws Exception {
        stack.env.put("STIGMER_DASHBOARD_PORT", "0");
        stack.env.remove("STIGMER_HEALTH_INTERVAL"); // as users run it: the tests' fast health checks would dominate
        stack.env.remove("STIGMER_HEALTH_TIMEOUT");
        stack.project(IDLE_STACK);
        stack.start();
        String url = uiUrl(stack);
        long daemon = stack.daemonPid();
        Thread.sleep(5000);
        System.out.printf("FIGURE daemon CPU, no page open: %.2f %% of a core%n", cpuPercent(daemon, 60));
        // A browser allows 6 connections per host and a page holds 2 (events, log): 2 pages per browser.
        List<Browser> browsers = new ArrayList<>();
        try {
            for (int b = 0; b < 5; b++) {
                Browser browser = Browser.open(1000, 800);
                browsers.add(browser);
                browser.driver.get(url);
                browser.driver.switchTo().newWindow(WindowType.WINDOW);
                browser.driver.get(url);
            }
            Thread.sleep(5000);
            System.out.printf("FIGURE daemon CPU, 10 pages open, nothing happening: %.2f %% of a core%n",
                    cpuPercent(daemon, 60));
        } finally {
            for (Browser browser : browsers) {
                browser.close();
            }
        }
    }

    private static String uiUrl(Stack stack) {
        return stack.run("local", "ui", "--no-open").stdout().lines().toList().getLast();
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** utime + stime of {@code pid} over {@code seconds}, as a share of one core. */
    private static double cpuPercent(long pid, int seconds) throws Exception {
        long before = cpuTicks(pid);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long ticks = cpuTicks(pid) - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        return 100.0 * ticks / 100.0 / elapsed; // USER_HZ is 100
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
