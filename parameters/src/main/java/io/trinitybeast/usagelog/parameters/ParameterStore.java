package io.trinitybeast.usagelog.parameters;

import io.trinitybeast.usagelog.producer.InvalidParameterException;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an operator does with parameters and profiles: list, read and set parameters; list, show,
 * compare and apply profiles. Every change is one transaction, audited in parameter_changes by the
 * table's trigger, and announced to the servers by its NOTIFY.
 */
public final class ParameterStore {

    /** One row of application_parameters. */
    public record Parameter(String name, String value, String description, long min, long max, Instant updatedAt,
            String updatedBy) {

        /** The range as an operator reads it: {@code 1–10} or {@code > 0}. */
        public String range() {
            if (max == Integer.MAX_VALUE) {
                return min == 1 ? "> 0" : ">= " + min;
            }
            return min + "–" + max;
        }
    }

    /** One system profile. */
    public record Profile(String name, String category, String intendedWorkload, Map<String, String> values) {}

    /** A parameter whose value differs between now and a profile. */
    public record Difference(String name, String current, String profile) {}

    private final DatabaseParameterSource.ConnectionFactory connections;

    public ParameterStore(DatabaseParameterSource.ConnectionFactory connections) {
        this.connections = connections;
    }

    public List<Parameter> list() throws SQLException {
        List<Parameter> parameters = new ArrayList<>();
        try (Connection c = connections.connect(); PreparedStatement query = c.prepareStatement(
                "SELECT name, value, description, min_value, max_value, updated_at, updated_by FROM application_parameters ORDER BY name");
                ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                parameters.add(new Parameter(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getTimestamp(6).toInstant(), rs.getString(7)));
            }
        }
        return parameters;
    }

    public Optional<Parameter> get(String name) throws SQLException {
        return list().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Sets one parameter.
     *
     * @throws InvalidParameterException naming the parameter and its range, for a value the producer would refuse
     * @throws IllegalArgumentException  for an unknown parameter, or a value the database refuses
     */
    public void set(String name, String value, String actor) throws SQLException {
        ProducerParameter.byName(name).ifPresent(parameter -> parameter.parse(value));
        try (Connection c = connections.connect(); PreparedStatement update = c.prepareStatement(
                "UPDATE application_parameters SET value = ?, updated_by = ? WHERE name = ?")) {
            update.setString(1, value.strip());
            update.setString(2, actor);
            update.setString(3, name);
            if (update.executeUpdate() == 0) {
                throw new IllegalArgumentException("unknown parameter '" + name + "'");
            }
        } catch (SQLException e) {
            if ("23514".equals(e.getSQLState())) {
                Parameter p = get(name).orElseThrow();
                throw new IllegalArgumentException(name + " must be an integer " + p.range() + " (" + p.description()
                        + "), got '" + value + "'", e);
            }
            throw e;
        }
    }

    public List<Profile> profiles() throws SQLException {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        try (Connection c = connections.connect(); PreparedStatement query = c.prepareStatement("""
                SELECT p.name, p.category, p.intended_workload, v.name, v.value
                FROM system_profiles p JOIN system_profile_values v ON v.profile = p.name
                ORDER BY p.category, p.name, v.name""");
                ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                Profile profile = profiles.computeIfAbsent(name, n -> {
                    try {
                        return new Profile(n, rs.getString(2), rs.getString(3), new LinkedHashMap<>());
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                profile.values().put(rs.getString(4), rs.getString(5));
            }
        }
        return List.copyOf(profiles.values());
    }

    public Profile profile(String name) throws SQLException {
        return profiles().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no profile named '" + name + "'"));
    }

    /** The parameters whose current value differs from the profile's. */
    public List<Difference> diff(String profileName) throws SQLException {
        Profile profile = profile(profileName);
        List<Difference> differences = new ArrayList<>();
        for (Parameter parameter : list()) {
            String wanted = profile.values().get(parameter.name());
            if (wanted != null && !wanted.equals(parameter.value())) {
                differences.add(new Difference(parameter.name(), parameter.value(), wanted));
            }
        }
        return differences;
    }

    /** Applies a profile in one transaction; returns how many parameters changed. */
    public int apply(String profileName, String actor) throws SQLException {
        profile(profileName); // a clear error for an unknown name
        try (Connection c = connections.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement apply = c.prepareStatement("SELECT usagelog_apply_profile(?, ?)")) {
                apply.setString(1, profileName);
                apply.setString(2, actor);
                try (ResultSet rs = apply.executeQuery()) {
                    rs.next();
                    int changed = rs.getInt(1);
                    c.commit();
                    return changed;
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
