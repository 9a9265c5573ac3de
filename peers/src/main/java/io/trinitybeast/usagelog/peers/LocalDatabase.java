package io.trinitybeast.usagelog.peers;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL standing in for Aurora: an embedded one (zonky, fsync off; as root it runs
 * itself through {@code unshare}) unless a database URL is given, so tests and the demo need
 * nothing installed. {@link #freshDatabase()} hands each test class a database of its own.
 */
public final class LocalDatabase implements AutoCloseable {

    /** Environment variable naming a PostgreSQL server for tests instead of the embedded one. */
    public static final String TEST_DATABASE_URL = "USAGELOG_TEST_DATABASE_URL";

    private static LocalDatabase shared;

    private final EmbeddedPostgres embedded;
    private final String serverUrl;
    private final String user;
    private final String password;

    /** A database: its JDBC URL and credentials. */
    public record Database(String jdbcUrl, String user, String password) {
        public DataSource dataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(jdbcUrl);
            dataSource.setUser(user);
            dataSource.setPassword(password);
            return dataSource;
        }

        public Connection connect() throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            if (password != null) {
                properties.setProperty("password", password);
            }
            return DriverManager.getConnection(jdbcUrl, properties);
        }
    }

    private LocalDatabase(EmbeddedPostgres embedded, String serverUrl, String user, String password) {
        this.embedded = embedded;
        this.serverUrl = serverUrl;
        this.user = user;
        this.password = password;
    }

    /** Starts an embedded PostgreSQL on a free loopback port. */
    public static LocalDatabase startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "100")
                    .start();
            return new LocalDatabase(postgres, "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                    "postgres", null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    /** An existing server, reached through a JDBC URL (user and password in it or given). */
    public static LocalDatabase existing(String jdbcUrl, String user, String password) {
        return new LocalDatabase(null, jdbcUrl, user, password);
    }

    /**
     * The one server tests in this JVM share: {@value #TEST_DATABASE_URL} if set, else an embedded
     * one started on first use and stopped when the JVM exits.
     */
    public static synchronized LocalDatabase forTests() {
        if (shared == null) {
            String url = System.getenv(TEST_DATABASE_URL);
            shared = url != null && !url.isBlank() ? existing(url, "postgres", null) : startEmbedded();
            LocalDatabase started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-database-stop"));
        }
        return shared;
    }

    /** The server's default database. */
    public Database server() {
        return new Database(serverUrl, user, password);
    }

    /** Creates a new, empty database on this server. */
    public Database freshDatabase() {
        String name = "usagelog_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = server().connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name); // a generated identifier: DDL takes no bind parameters
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        int slash = serverUrl.lastIndexOf('/');
        int query = serverUrl.indexOf('?', slash);
        String url = serverUrl.substring(0, slash + 1) + name + (query < 0 ? "" : serverUrl.substring(query));
        return new Database(url, user, password);
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
