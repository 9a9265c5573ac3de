package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.parameters.ParameterStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Lists, shows, compares and applies the 16 system profiles.",
        subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.Show.class, ProfilesCommand.Diff.class,
            ProfilesCommand.Apply.class})
final class ProfilesCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every profile, its category and intended workload.")
    static final class ListProfiles implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ParamsCommand.Target target;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            for (ParameterStore.Profile p : target.store(spec.commandLine()).profiles()) {
                out.printf("%-24s %-11s flush %5s ms  buffer %7s  %s%n", p.name(), p.category(), p.values().get("sqs_flush_ms"),
                        p.values().get("sqs_buffer_size"), p.intendedWorkload());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Every value a profile sets.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ParamsCommand.Target target;

        @Parameters(paramLabel = "PROFILE")
        String name;

        @Override
        public Integer call() throws Exception {
            ParameterStore.Profile p = profile(spec, target, name);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s (%s): %s%n", p.name(), p.category(), p.intendedWorkload());
            p.values().forEach((parameter, value) -> out.printf("  %-22s %s%n", parameter, value));
            out.flush();
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, description = "What applying a profile would change.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ParamsCommand.Target target;

        @Parameters(paramLabel = "PROFILE")
        String name;

        @Override
        public Integer call() throws Exception {
            profile(spec, target, name);
            List<ParameterStore.Difference> differences = target.store(spec.commandLine()).diff(name);
            PrintWriter out = spec.commandLine().getOut();
            if (differences.isEmpty()) {
                out.printf("%s: in force already, nothing would change%n", name);
            }
            for (ParameterStore.Difference d : differences) {
                out.printf("  %-22s %s -> %s%n", d.name(), d.current(), d.profile());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Applies a profile in one audited transaction; running servers pick it up at their next tick.")
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ParamsCommand.Target target;

        @Parameters(paramLabel = "PROFILE")
        String name;

        @Override
        public Integer call() throws Exception {
            profile(spec, target, name);
            int changed = target.store(spec.commandLine()).apply(name, target.actor());
            spec.commandLine().getOut().printf("applied %s: %d parameter(s) changed%n", name, changed);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static ParameterStore.Profile profile(CommandSpec spec, ParamsCommand.Target target, String name) throws Exception {
        try {
            return target.store(spec.commandLine()).profile(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
