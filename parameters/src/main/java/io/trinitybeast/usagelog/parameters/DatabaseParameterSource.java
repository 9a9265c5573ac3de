package io.trinitybeast.usagelog.parameters;

import io.trinitybeast.usagelog.producer.ParameterSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's parameters as the {@code application_parameters} table holds them. A background
 * thread LISTENs on channel {@code application_parameters} (the table's trigger NOTIFYs on every
 * change) and reloads the table at once; it also reloads every poll interval, in case a
 * notification was missed (a dropped connection, a proxy that does not pass LISTEN through).
 * {@link #values()} answers from memory, as the flusher's tick needs.
 *
 * <p>Values are passed on raw: the producer validates them, rejects and logs a bad one with the
 * parameter's name and range, and keeps the last good value (the table's constraint refuses most
 * bad values before they get here).
 */
public final class DatabaseParameterSource implements ParameterSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseParameterSource.class);
    public static final String CHANNEL = "application_parameters";

    /** Opens a new connection; the source owns and closes what it gets. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection connect() throws SQLException;
    }

    private final ConnectionFactory connections;
    private final Duration pollInterval;
    private final boolean listen;
    private final Thread watcher;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile Map<String, String> values = Map.of();
    private volatile boolean running = true;
    private volatile long reloads;

    private DatabaseParameterSource(ConnectionFactory connections, Duration pollInterval, boolean listen) {
        this.connections = connections;
        this.pollInterval = pollInterval;
        this.listen = listen;
        this.watcher = new Thread(this::watch, "application-parameters-watcher");
        this.watcher.setDaemon(true);
    }

    /** Starts watching with LISTEN/NOTIFY and a poll every {@code pollInterval} as the fallback. */
    public static DatabaseParameterSource start(ConnectionFactory connections, Duration pollInterval) {
        return start(connections, pollInterval, true);
    }

    /** With {@code listen = false}, polling alone, for databases reached through something that drops LISTEN. */
    public static DatabaseParameterSource start(ConnectionFactory connections, Duration pollInterval, boolean listen) {
        DatabaseParameterSource source = new DatabaseParameterSource(connections, pollInterval, listen);
        source.watcher.start();
        return source;
    }

    /** Waits for the first load; false if it did not happen in time (the defaults stay in force meanwhile). */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Map<String, String> values() {
        return values;
    }

    /** How many times the table was read: for tests and the operator's curiosity. */
    public long reloads() {
        return reloads;
    }

    private void watch() {
        long backoffMillis = 100;
        while (running) {
            try (Connection connection = connections.connect()) {
                if (listen) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("LISTEN " + CHANNEL); // a constant channel name: LISTEN takes no parameters
                    }
                }
                backoffMillis = 100;
                reload(connection);
                PGConnection pg = connection.unwrap(PGConnection.class);
                long nextPoll = System.nanoTime() + pollInterval.toNanos();
                while (running) {
                    long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextPoll - System.nanoTime()));
                    PGNotification[] notifications = listen ? pg.getNotifications((int) Math.min(waitMillis, 1_000)) : null;
                    if (!listen) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(waitMillis, 1_000)));
                    }
                    boolean notified = notifications != null && notifications.length > 0;
                    if (notified || System.nanoTime() - nextPoll >= 0) {
                        reload(connection);
                        nextPoll = System.nanoTime() + pollInterval.toNanos();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("cannot read application_parameters ({}); keeping the values in force, retrying in {} ms",
                            e.getMessage(), backoffMillis);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
                    backoffMillis = Math.min(backoffMillis * 2, 30_000);
                }
            }
        }
    }

    private void reload(Connection connection) throws SQLException {
        Map<String, String> fresh = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT name, value FROM application_parameters");
                ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                fresh.put(rs.getString(1), rs.getString(2));
            }
        }
        if (!fresh.equals(values)) {
            values = Map.copyOf(fresh); // a new snapshot only on change: the producer skips unchanged ones
        }
        reloads++;
        loaded.countDown();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        watcher.interrupt();
        watcher.join(5_000);
    }
}
