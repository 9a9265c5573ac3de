package io.trinitybeast.usagelog.writer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The writer's one database connection per container: opened on first use, kept across
 * invocations, closed after any failure that may have broken it and opened again on the next one.
 *
 * <p>Where it connects: {@code USAGELOG_DATABASE_URL} (a JDBC URL, for local runs) or else the
 * AWS Secrets Manager secret named by {@code DB_SECRET_NAME}, in the JSON form RDS uses ({@code
 * host}, {@code port}, {@code username}, {@code password}, {@code dbname}). The secret is read once
 * per container and again only when the database refuses the password (rotation).
 *
 * <p>RDS Proxy: nothing here pins a session. No SET, no temporary tables, no advisory locks, and
 * {@code prepareThreshold=0}, so pgjdbc never creates named server-side prepared statements.
 * SnapStart: the connection is closed before the snapshot and opened afresh after restore.
 */
public final class WriterDatabase implements Resource, AutoCloseable {

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Where to connect and as whom; {@code password} never appears in logs or in {@link #toString()}. */
    public record Credentials(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + jdbcUrl + " as " + user + "]";
        }
    }

    private final Supplier<Credentials> credentialSource;
    private Credentials credentials;
    private Connection connection;

    public WriterDatabase(Supplier<Credentials> credentialSource) {
        this.credentialSource = credentialSource;
        Core.getGlobalContext().register(this);
    }

    /** From the Lambda's environment; see the class comment. */
    public static WriterDatabase fromEnvironment() {
        String url = System.getenv("USAGELOG_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            return new WriterDatabase(() -> new Credentials(url, System.getenv("USAGELOG_DATABASE_USER"),
                    System.getenv("USAGELOG_DATABASE_PASSWORD")));
        }
        String secretName = System.getenv("DB_SECRET_NAME");
        if (secretName == null || secretName.isBlank()) {
            throw new IllegalStateException("set DB_SECRET_NAME (the RDS secret) or USAGELOG_DATABASE_URL");
        }
        return new WriterDatabase(() -> fromSecret(secretName));
    }

    static Credentials fromSecret(String secretName) {
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            return parseSecret(secrets.getSecretValue(b -> b.secretId(secretName)).secretString());
        }
    }

    /** The RDS secret JSON: {@code {"host","port","username","password","dbname"}}. */
    static Credentials parseSecret(String secretJson) {
        JsonNode secret;
        try {
            secret = JsonMapper.builder().build().readTree(secretJson);
        } catch (Exception e) {
            throw new IllegalStateException("the database secret is not JSON"); // never echo the secret
        }
        for (String field : new String[] {"host", "username", "password"}) {
            if (!secret.hasNonNull(field)) {
                throw new IllegalStateException("the database secret has no '" + field + "'");
            }
        }
        String url = "jdbc:postgresql://" + secret.get("host").asText() + ":" + secret.path("port").asInt(5432) + "/"
                + secret.path("dbname").asText("postgres");
        return new Credentials(url, secret.get("username").asText(), secret.get("password").asText());
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    public synchronized <T> T inTransaction(Work<T> work) throws SQLException {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            failed(c, e);
            throw e;
        }
    }

    /** Runs {@code work} with autocommit on: each statement is its own transaction. */
    public synchronized <T> T autocommit(Work<T> work) throws SQLException {
        Connection c = connection();
        try {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException | RuntimeException e) {
            failed(c, e);
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection != null && !connection.isClosed()) {
            return connection;
        }
        if (credentials == null) {
            credentials = credentialSource.get();
        }
        Properties properties = new Properties();
        if (credentials.user() != null) {
            properties.setProperty("user", credentials.user());
        }
        if (credentials.password() != null) {
            properties.setProperty("password", credentials.password());
        }
        properties.setProperty("ApplicationName", "trinity-beast-queued-writer");
        properties.setProperty("prepareThreshold", "0");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        try {
            connection = DriverManager.getConnection(credentials.jdbcUrl(), properties);
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
                credentials = null; // the password may have been rotated: read the secret again next time
            }
            throw e;
        }
        return connection;
    }

    private void failed(Connection c, Exception e) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is gone; closed below
        }
        if (!(e instanceof SQLException sql) || sql.getSQLState() == null || sql.getSQLState().startsWith("08")
                || sql.getSQLState().startsWith("57") || sql.getSQLState().startsWith("53")) {
            closeQuietly(); // broken, shut down or out of resources: open a fresh connection next time
        }
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection
        } finally {
            connection = null;
        }
    }

    @Override
    public synchronized void beforeCheckpoint(Context<? extends Resource> context) {
        closeQuietly(); // a socket in a snapshot is a dead socket after restore
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // the next invocation connects afresh
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
