package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.parameters.ParameterStore;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "params", mixinStandardHelpOptions = true,
        description = "Lists, reads and sets the runtime-adjustable parameters (application_parameters).",
        subcommands = {ParamsCommand.ListParameters.class, ParamsCommand.Get.class, ParamsCommand.Set.class})
final class ParamsCommand {

    /** Shared by every parameters and profiles command: the database, and who is acting. */
    static final class Target {
        @Mixin
        DatabaseOptions database;

        @Option(names = "--actor", description = "Who makes the change, for the audit (default: user@host).")
        String actor;

        ParameterStore store(CommandLine commandLine) {
            LocalDatabase.Database db = database.database(commandLine, true);
            return new ParameterStore(db::connect);
        }

        String actor() {
            if (actor != null && !actor.isBlank()) {
                return actor;
            }
            try {
                return System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return System.getProperty("user.name");
            }
        }
    }

    static void print(PrintWriter out, List<ParameterStore.Parameter> parameters) {
        out.printf("%-22s %10s  %-16s %-24s %s%n", "name", "value", "range", "updated", "by");
        for (ParameterStore.Parameter p : parameters) {
            out.printf("%-22s %10s  %-16s %-24s %s%n    %s%n", p.name(), p.value(), p.range(), p.updatedAt(), p.updatedBy(),
                    p.description());
        }
        out.flush();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every parameter with its value, range and last change.")
    static final class ListParameters implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            print(spec.commandLine().getOut(), target.store(spec.commandLine()).list());
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One parameter's value.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "NAME", description = "e.g. sqs_flush_ms")
        String name;

        @Override
        public Integer call() throws Exception {
            ParameterStore.Parameter p = target.store(spec.commandLine()).get(name)
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "unknown parameter '" + name + "'"));
            spec.commandLine().getOut().println(p.value());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Sets one parameter; running servers pick it up at their producer's next tick.")
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "NAME", description = "e.g. sqs_flush_ms")
        String name;

        @Parameters(index = "1", paramLabel = "VALUE", description = "an integer within the parameter's range")
        String value;

        @Override
        public Integer call() throws Exception {
            ParameterStore store = target.store(spec.commandLine());
            String before = store.get(name).map(ParameterStore.Parameter::value).orElse(null);
            try {
                store.set(name, value, target.actor());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            spec.commandLine().getOut().printf("%s: %s -> %s%n", name, before, value.strip());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
