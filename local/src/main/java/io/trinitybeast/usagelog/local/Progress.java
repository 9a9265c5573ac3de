package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.producer.ProducerStats;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import java.io.PrintWriter;

/** A live progress line: a bar, what was sent, dropped and stored, and the rates. */
final class Progress {

    private final PrintWriter out;
    private final boolean enabled;
    private final UsageLogProducer producer;
    private final PipelineTally tally;
    private final HttpLoad load;
    private final long total;
    private final boolean terminal = System.console() != null;
    private Thread thread;
    private volatile boolean running;

    Progress(PrintWriter out, boolean enabled, UsageLogProducer producer, PipelineTally tally, long total, HttpLoad load) {
        this.load = load;
        this.out = out;
        this.enabled = enabled;
        this.producer = producer;
        this.tally = tally;
        this.total = total;
    }

    void start() {
        if (!enabled) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "demo-progress");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long lastSent = 0;
        long lastReceived = 0;
        long lastAt = System.nanoTime();
        long interval = terminal ? 250 : 2_000;
        while (running) {
            java.util.concurrent.locks.LockSupport.parkNanos(interval * 1_000_000L); // display refresh
            if (!running) {
                return;
            }
            long now = System.nanoTime();
            ProducerStats stats = producer.stats();
            long received;
            try {
                received = tally.storedRows();
            } catch (java.sql.SQLException e) {
                received = lastReceived;
            }
            double seconds = (now - lastAt) / 1e9;
            String line = line(stats, received, (stats.sent() - lastSent) / seconds, (received - lastReceived) / seconds);
            lastSent = stats.sent();
            lastReceived = received;
            lastAt = now;
            out.print(terminal ? "\r" + line : line + System.lineSeparator());
            out.flush();
        }
    }

    private String line(ProducerStats stats, long received, double sentRate, double receivedRate) {
        int width = 24;
        int filled = (int) Math.min(width, received * width / Math.max(1, total));
        return String.format("[%s%s] %3d%%  answered %,d  sent %,d (%,.0f/s)  dropped %,d  stored %,d (%,.0f/s)  in flight %,d   ",
                "#".repeat(filled), "-".repeat(width - filled), received * 100 / Math.max(1, total), load.answered.sum(),
                stats.sent(), sentRate, stats.dropped(), received, receivedRate, Math.max(0, stats.sent() - received));
    }

    void stop() throws InterruptedException {
        if (thread != null) {
            running = false;
            java.util.concurrent.locks.LockSupport.unpark(thread);
            thread.join();
            out.println();
            out.flush();
        }
    }
}
