package io.netfence.shell.text;

import java.util.List;

/**
 * The leading options of the appliance's own commands ({@code feature}, {@code dataplane}):
 * {@code -j[son]}, {@code -p[retty]}, {@code -h[elp]}, unique prefixes accepted as iproute2 does.
 */
public record OutputOptions(boolean json, boolean pretty, boolean help) {
    private static final List<String> NAMES = List.of("json", "pretty", "help");

    /** Consumes the options at the front of {@code args}. */
    public static OutputOptions parse(Args args) {
        boolean json = false;
        boolean pretty = false;
        boolean help = false;
        while (args.hasNext() && args.peek().startsWith("-") && args.peek().length() > 1) {
            String word = args.next();
            String option = word.startsWith("--") ? word.substring(2) : word.substring(1);
            String name = Args.match(option, NAMES);
            if (name == null) {
                throw new CommandException("Error: option \"" + word + "\" is unknown: expected one of -j[son], -p[retty], -h[elp]");
            }
            switch (name) {
                case "json" -> json = true;
                case "pretty" -> pretty = true;
                default -> help = true;
            }
        }
        return new OutputOptions(json, pretty, help);
    }
}
