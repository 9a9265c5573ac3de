package io.trinitybeast.usagelog.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.trinitybeast.usagelog.parameters.DatabaseParameterSource.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active API keys, in memory: SHA-256 of the secret to the public {@code api_key_id}. Loaded
 * from {@code api_keys} and reloaded in the background, so authenticating a request is a hash and a
 * map lookup, never a database round trip. If a reload fails, the keys in memory stay in force.
 */
public final class ApiKeys implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final ConnectionFactory connections;
    private final ScheduledExecutorService refresher;
    private volatile Map<String, String> idByHash = Map.of();

    private ApiKeys(ConnectionFactory connections, long refreshSeconds) throws SQLException {
        this.connections = connections;
        reload();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "api-keys-refresh");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::reloadQuietly, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
    }

    /** Loads the keys now, then every {@code refreshSeconds}. */
    public static ApiKeys load(ConnectionFactory connections, long refreshSeconds) throws SQLException {
        return new ApiKeys(connections, refreshSeconds);
    }

    /** The public id of the key presented, if it is an active key. */
    public Optional<String> authenticate(String presentedSecret) {
        if (presentedSecret == null || presentedSecret.isEmpty() || presentedSecret.length() > 256) {
            return Optional.empty();
        }
        return Optional.ofNullable(idByHash.get(hex(sha256(presentedSecret))));
    }

    public int size() {
        return idByHash.size();
    }

    void reload() throws SQLException {
        Map<String, String> fresh = new HashMap<>();
        try (Connection c = connections.connect();
                PreparedStatement query = c.prepareStatement("SELECT key_sha256, api_key_id FROM api_keys WHERE active");
                ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                fresh.put(hex(rs.getBytes(1)), rs.getString(2));
            }
        }
        idByHash = Map.copyOf(fresh);
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot reload API keys ({}); the {} in memory stay in force", e.getMessage(), idByHash.size());
        }
    }

    /**
     * Creates a key and returns its secret, which exists nowhere else afterwards: only its SHA-256
     * is stored.
     */
    public static String create(Connection connection, String apiKeyId, String owner) throws SQLException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = "tbk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO api_keys (api_key_id, key_sha256, owner) VALUES (?, ?, ?)")) {
            insert.setString(1, apiKeyId);
            insert.setBytes(2, sha256(secret));
            insert.setString(3, owner);
            insert.executeUpdate();
        }
        return secret;
    }

    static byte[] sha256(String text) {
        return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
