package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.server.ApiKeys;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manages the price server's API keys.",
        subcommands = {KeysCommand.Create.class})
final class KeysCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates an API key and prints its secret once; only its SHA-256 is stored.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DatabaseOptions database;

        @Parameters(paramLabel = "API_KEY_ID", description = "The public id usage is recorded under, e.g. ak_live_abc123.")
        String apiKeyId;

        @Option(names = "--owner", required = true, description = "Who the key belongs to.")
        String owner;

        @Override
        public Integer call() throws Exception {
            if (!apiKeyId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "API_KEY_ID must be 1-64 of [A-Za-z0-9_.-], got '" + apiKeyId + "'");
            }
            LocalDatabase.Database db = database.database(spec.commandLine(), true);
            try (Connection c = db.connect()) {
                String secret = ApiKeys.create(c, apiKeyId, owner);
                spec.commandLine().getOut().printf("%s (%s): X-API-Key: %s%nthe secret is shown this once; it is stored only as a SHA-256%n",
                        apiKeyId, owner, secret);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
