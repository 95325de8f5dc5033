package io.netfence.launcher;

import java.nio.file.Path;

/**
 * The start command's options: {@code netfence [-c COMMAND] [-b FILE [-force]] [--serve] [--data DIR]}.
 * Parsing errors name the bad word and the accepted form.
 */
record LauncherOptions(String command, Path batch, boolean force, Path dataDir, boolean help, boolean serve) {

    static final String USAGE = """
            Usage: netfence [-c "COMMAND"] [-b FILE [-force]] [--serve] [--data DIR]
              (no option)   start the appliance with an interactive shell (history, tab completion)
              -c COMMAND    start, run one shell command, print its output, stop; exit 1 if it failed
              -b FILE       start, run the commands in FILE one per line (like ip -batch), stop;
                            stops at the first error with its line number and exit 1, unless -force
              -force        with -b: report every failing line and carry on (exit 1 if any failed)
              --serve       run without a console until stopped (SIGTERM, SIGINT), as a service does;
                            with -b, run the batch first and exit 1 if it fails
              --data DIR    keep state (configuration, logs, framework cache) in DIR instead of var/
              -h, --help    this text""";

    static LauncherOptions parse(String... args) {
        String command = null;
        Path batch = null;
        boolean force = false;
        Path data = null;
        boolean help = false;
        boolean serve = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c", "--command" -> {
                    command = value(args, ++i, a, "a shell command in quotes");
                }
                case "-b", "-batch", "--batch" -> batch = Path.of(value(args, ++i, a, "a file of commands"));
                case "-force", "--force" -> force = true;
                case "--data" -> data = Path.of(value(args, ++i, a, "a directory"));
                case "--serve" -> serve = true;
                case "-h", "--help", "help" -> help = true;
                default -> throw new IllegalArgumentException("unknown option \"" + a + "\"\n" + USAGE);
            }
        }
        if (command != null && batch != null) {
            throw new IllegalArgumentException("-c and -b cannot be used together\n" + USAGE);
        }
        if (force && batch == null) {
            throw new IllegalArgumentException("-force only applies to -b FILE\n" + USAGE);
        }
        if (serve && command != null) {
            throw new IllegalArgumentException("-c runs one command and stops, --serve keeps running: choose one\n" + USAGE);
        }
        return new LauncherOptions(command, batch, force, data, help, serve);
    }

    private static String value(String[] args, int i, String option, String what) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + option + " needs " + what + "\n" + USAGE);
        }
        return args[i];
    }

    boolean interactive() {
        return command == null && batch == null && !serve;
    }
}
