package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "usage", mixinStandardHelpOptions = true, description = "Shows requests per API key and month (current_usage).")
final class UsageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--api-key-id", description = "Only this key.")
    String apiKeyId;

    @Override
    public Integer call() throws Exception {
        LocalDatabase.Database db = database.database(spec.commandLine(), true);
        PrintWriter out = spec.commandLine().getOut();
        try (Connection c = db.connect(); PreparedStatement query = c.prepareStatement("""
                SELECT api_key_id, period_start, request_count, last_seen_at FROM current_usage
                WHERE ?::text IS NULL OR api_key_id = ? ORDER BY api_key_id, period_start""")) {
            query.setString(1, apiKeyId);
            query.setString(2, apiKeyId);
            out.printf("%-32s %-10s %14s  %s%n", "api_key_id", "month", "requests", "last seen");
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    out.printf("%-32s %-10s %,14d  %s%n", rs.getString(1), rs.getDate(2).toString().substring(0, 7), rs.getLong(3),
                            rs.getTimestamp(4).toInstant());
                }
            }
        }
        out.flush();
        return 0;
    }
}
