package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Brings a database up to the newest usage-log schema (Flyway).")
final class MigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        LocalDatabase.Database target = database.database(spec.commandLine(), true);
        MigrateResult result = UsageLogSchema.migrate(target.dataSource());
        spec.commandLine().getOut().printf("%s: applied %d migration(s); schema version %s%n", target.jdbcUrl(),
                result.migrationsExecuted, result.targetSchemaVersion != null ? result.targetSchemaVersion
                        : UsageLogSchema.flyway(target.dataSource()).info().current().getVersion());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
