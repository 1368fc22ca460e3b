package dev.stigmer.lock;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.stigmer.testing.TestProcesses.firstLine;
import static org.assertj.core.api.Assertions.assertThat;

class ExclusiveLockTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void secondAcquireInTheSameJvmIsRefusedUntilTheFirstIsClosed() throws Exception {
        Path file = dir.resolve("daemon.lock");
        Optional<ExclusiveLock> first = ExclusiveLock.tryAcquire(file);
        assertThat(first).isPresent();

        assertThat(ExclusiveLock.tryAcquire(file)).isEmpty();
        assertThat(ExclusiveLock.isHeld(file)).isTrue();

        first.get().close();
        try (ExclusiveLock second = ExclusiveLock.tryAcquire(file).orElseThrow()) {
            assertThat(second.file()).isEqualTo(file);
        }
        assertThat(ExclusiveLock.isHeld(file)).isFalse();
    }

    @Test
    void lockHeldByAnotherProcessIsRefusedAndFreedWhenThatProcessIsKilled() throws Exception {
        Path file = dir.resolve("daemon.lock");
        Process holder = holdWithFlock(file);

        assertThat(ExclusiveLock.tryAcquire(file)).isEmpty();
        assertThat(ExclusiveLock.isHeld(file)).isTrue();

        holder.destroyForcibly().waitFor();
        try (ExclusiveLock lock = ExclusiveLock.tryAcquire(file).orElseThrow()) {
            // A lock held by this JVM now refuses the flock command in turn.
            Process refused = processes.start("flock", "-x", "-n", file.toString(), "true");
            assertThat(refused.waitFor()).isEqualTo(1);
        }
    }

    /** An fcntl lock (FileChannel.tryLock) would be silently dropped here; flock must not be. */
    @Test
    void closingAnotherChannelOnTheLockFileKeepsTheLock() throws Exception {
        Path file = dir.resolve("daemon.lock");
        try (ExclusiveLock lock = ExclusiveLock.tryAcquire(file).orElseThrow()) {
            FileChannel.open(file, StandardOpenOption.READ).close();

            Process other = processes.start("flock", "-x", "-n", file.toString(), "true");
            assertThat(other.waitFor()).as("flock -n exit code while we hold the lock").isEqualTo(1);
        }
    }

    @Test
    void acquireGivesUpAfterTheTimeout() throws Exception {
        Path file = dir.resolve("daemon.lock");
        holdWithFlock(file);

        long begin = System.nanoTime();
        Optional<ExclusiveLock> lock = ExclusiveLock.acquire(file, Duration.ofMillis(400));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(lock).isEmpty();
        assertThat(elapsedMillis).isBetween(400L, 5_000L);
    }

    @Test
    void acquireSucceedsAsSoonAsTheHolderDies() throws Exception {
        Path file = dir.resolve("daemon.lock");
        Process holder = holdWithFlock(file);
        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(holder::destroyForcibly);

        long begin = System.nanoTime();
        Optional<ExclusiveLock> lock = ExclusiveLock.acquire(file, Duration.ofSeconds(20));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(lock).isPresent();
        lock.get().close();
        assertThat(elapsedMillis).isLessThan(10_000L);
    }

    /**
     * A daemon starting while a CLI asks whether one runs must get its lock: asking must not take
     * it, not even for an instant. Another process takes and drops the lock as fast as it can
     * while this JVM asks in a tight loop; the other process must never be refused.
     */
    @Test
    void askingWhetherTheLockIsHeldNeverMakesATakerFail() throws Exception {
        Path file = dir.resolve("daemon.lock");
        ExclusiveLock.tryAcquire(file).orElseThrow().close(); // the file exists, as after a daemon
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong asked = new AtomicLong();
        Thread asker = Thread.ofPlatform().start(() -> {
            try {
                while (!done.get()) {
                    ExclusiveLock.isHeld(file);
                    asked.incrementAndGet();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            Process taker = processes.start("perl", "-e", """
                    use Fcntl qw(:flock);
                    my ($file, $n) = @ARGV; my $refused = 0;
                    for (1 .. $n) {
                        open(my $fh, '<', $file) or die "open: $!";
                        if (flock($fh, LOCK_EX | LOCK_NB)) { flock($fh, LOCK_UN) } else { $refused++ }
                        close($fh);
                    }
                    print "$refused\n";
                    """, file.toString(), "20000");
            String refused = firstLine(taker);
            assertThat(taker.waitFor()).isZero();
            assertThat(asked.get()).as("isHeld calls made meanwhile").isGreaterThan(100);
            assertThat(refused).as("times the other process was refused the lock").isEqualTo("0");
        } finally {
            done.set(true);
            asker.join();
        }
    }

    @Test
    void askingAboutALockFileThatDoesNotExistSaysNotHeldAndCreatesNothing() throws Exception {
        Path file = dir.resolve("daemon.lock");

        assertThat(ExclusiveLock.isHeld(file)).isFalse();
        assertThat(file).doesNotExist();
    }

    /**
     * {@code flock -o} closes its descriptor before running the command, so the flock process
     * alone holds the lock (otherwise the sleeping child would inherit it and keep it).
     */
    private Process holdWithFlock(Path file) {
        Process holder = processes.start("flock", "-x", "-o", file.toString(),
                "bash", "-c", "echo locked; exec sleep 60");
        assertThat(firstLine(holder)).isEqualTo("locked");
        return holder;
    }
}
