package io.trinitybeast.usagelog.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the usage-log store's migrations ({@code db/migration/usagelog}) with Flyway. */
public final class UsageLogSchema {

    public static final String LOCATION = "classpath:db/migration/usagelog";

    private UsageLogSchema() {}

    /** Brings the database up to the newest schema; returns what was applied. */
    public static MigrateResult migrate(DataSource dataSource) {
        return flyway(dataSource).migrate();
    }

    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load();
    }
}
