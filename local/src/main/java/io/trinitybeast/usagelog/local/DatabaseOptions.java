package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import picocli.CommandLine.Option;

/** Where the database is: {@code --database-url}, or the environment; the password only ever from the environment. */
final class DatabaseOptions {

    @Option(names = "--database-url", description = "JDBC URL of the PostgreSQL database (default: $USAGELOG_DATABASE_URL).")
    String url;

    @Option(names = "--database-user", description = "Database user (default: $USAGELOG_DATABASE_USER, else postgres).")
    String user;

    /** The password comes from USAGELOG_DATABASE_PASSWORD, never from the command line, where ps and shell history would show it. */
    LocalDatabase.Database database(picocli.CommandLine commandLine, boolean required) {
        String jdbcUrl = url != null ? url : System.getenv("USAGELOG_DATABASE_URL");
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            if (required) {
                throw new picocli.CommandLine.ParameterException(commandLine,
                        "--database-url is required (or set USAGELOG_DATABASE_URL)");
            }
            return null;
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "--database-url must be a jdbc:postgresql://host:port/database URL, got '" + jdbcUrl + "'");
        }
        String name = user != null ? user : System.getenv().getOrDefault("USAGELOG_DATABASE_USER", "postgres");
        return new LocalDatabase.Database(jdbcUrl, name, System.getenv("USAGELOG_DATABASE_PASSWORD"));
    }
}
