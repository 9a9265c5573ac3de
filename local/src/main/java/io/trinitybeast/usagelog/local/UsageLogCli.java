package io.trinitybeast.usagelog.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code usagelog} command line: the local pipeline and the tools to run and inspect its parts. */
@Command(name = "usagelog", mixinStandardHelpOptions = true, version = "usagelog 0.1.0",
        description = "The queued usage-log pipeline on this machine.",
        subcommands = {DemoCommand.class, WriterCommand.class, MigrateCommand.class, DlqCommand.class, ParamsCommand.class,
            ProfilesCommand.class, ServerCommand.class, SqsCommand.class, KeysCommand.class, UsageCommand.class,
            CommandLine.HelpCommand.class})
public final class UsageLogCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 success, 1 failure, 2 bad usage. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new UsageLogCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(UsageLogCli::badUsage);
    }

    /** A bad argument: the reason, any "did you mean", and the command's usage, always; exit 2. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        java.io.PrintWriter err = command.getErr();
        err.println(e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        command.usage(err);
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }
}
