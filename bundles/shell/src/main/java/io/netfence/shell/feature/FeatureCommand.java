package io.netfence.shell.feature;

import io.netfence.features.api.FeatureException;
import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.shell.text.OutputOptions;
import io.netfence.shell.text.Table;
import java.util.List;
import java.util.function.Supplier;

/** {@code feature [-j] [-p] { list | info NAME | install NAME | uninstall NAME | help }}. */
public final class FeatureCommand {
    private static final List<String> COMMANDS = List.of("list", "show", "info", "install", "uninstall", "help");

    static final String HELP = """
            Usage: feature [ -j[son] [ -p[retty] ] ] [ list ]
                   feature [ -j[son] [ -p[retty] ] ] info NAME
                   feature install NAME
                   feature uninstall NAME
                   feature help

            A feature is a named set of bundles with their configuration, described by an OSGi Feature
            JSON file in the appliance's features/ folder. Features are installed and removed while the
            appliance runs, and what is installed is installed again at the next start. "boot"
            features are installed on the first start, and one a newer version adds at the first
            start after the upgrade; a boot feature uninstalled stays uninstalled.

            Commands:
              list        every feature known: name, installed, boot, title (the default command)
              info        a feature's identifier, description, state and bundles in start order
              install     install and start a feature's bundles and apply its configuration;
                          a failure removes what was installed
              uninstall   stop and remove the bundles no other installed feature needs,
                          and delete the feature's configuration; refused, changing nothing,
                          while another installed feature needs its bundles, and for the
                          feature that provides this shell

            Examples:
              feature list
              feature uninstall netfence-tc
              feature install netfence-tc
              feature -j info netfence-shell""";

    private final FeatureService features;

    public FeatureCommand(FeatureService features) {
        this.features = features;
    }

    public String execute(String... words) {
        Args args = new Args(List.of(words));
        OutputOptions options = OutputOptions.parse(args);
        if (options.help()) {
            return HELP;
        }
        boolean json = options.json();
        boolean pretty = options.pretty();
        if (!args.hasNext()) {
            return list(json, pretty);
        }
        String word = args.next();
        String command = Args.match(word, COMMANDS);
        if (command == null) {
            throw new CommandException("Error: command \"" + word + "\" is unknown: expected one of list, info, install, uninstall, help");
        }
        if (command.equals("help")) {
            return HELP;
        }
        if (command.equals("list") || command.equals("show")) {
            if (args.hasNext()) {
                throw CommandException.badArgument(args.next(), "expected feature list");
            }
            return list(json, pretty);
        }
        if (!args.hasNext()) {
            throw CommandException.required("NAME", "feature " + command + " NAME (feature list shows the names)");
        }
        String name = args.next();
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected feature " + command + " NAME");
        }
        FeatureInfo feature = call(() -> features.feature(name));
        return switch (command) {
            case "info" -> info(feature, json, pretty);
            case "install" -> {
                if (feature.installed()) {
                    yield "Feature " + name + " is already installed.";
                }
                FeatureInfo done = call(() -> features.install(name));
                yield "Feature " + name + " installed (" + count(done.bundles().size(), "bundle") + ").";
            }
            default -> {
                if (!feature.installed()) {
                    throw new CommandException("Error: feature \"" + name + "\" is not installed: expected an installed"
                            + " feature (feature list marks them)");
                }
                FeatureInfo done = call(() -> features.uninstall(name));
                yield "Feature " + done.name() + " uninstalled.";
            }
        };
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (FeatureException e) {
            throw CommandException.refused(e);
        }
    }

    private String list(boolean json, boolean pretty) {
        List<FeatureInfo> all = call(features::features);
        if (json) {
            JsonWriter w = new JsonWriter(pretty).beginArray();
            for (FeatureInfo f : all) {
                write(w, f);
            }
            return w.endArray().toString();
        }
        if (all.isEmpty()) {
            return "No features found.";
        }
        Table table = Table.withHeader("NAME", "INSTALLED", "BOOT", "TITLE");
        for (FeatureInfo f : all) {
            table.row(f.name(), f.installed() ? "yes" : "no", f.boot() ? "yes" : "no", f.title());
        }
        return table.render();
    }

    private static String info(FeatureInfo f, boolean json, boolean pretty) {
        if (json) {
            JsonWriter w = new JsonWriter(pretty);
            write(w, f);
            return w.toString();
        }
        Table table = new Table(2);
        table.row("name:", f.name())
                .row("id:", f.id())
                .row("title:", f.title())
                .row("description:", f.description())
                .row("installed:", f.installed() ? "yes" : "no")
                .row("boot:", f.boot() ? "yes" : "no")
                .row("bundles:", f.bundles().isEmpty() ? "none" : f.bundles().getFirst());
        // the remaining bundles continue the second column, one per line
        for (String bundle : f.bundles().subList(Math.min(1, f.bundles().size()), f.bundles().size())) {
            table.row("", bundle);
        }
        return table.render();
    }

    private static void write(JsonWriter w, FeatureInfo f) {
        w.beginObject()
                .member("name", f.name())
                .member("id", f.id())
                .member("title", f.title())
                .member("description", f.description())
                .member("installed", f.installed())
                .member("boot", f.boot())
                .member("bundles", f.bundles())
                .endObject();
    }
}
