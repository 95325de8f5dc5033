package io.netfence.shell.ip;

import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.XfrmService;
import java.util.List;

/** What {@code ip xfrm state} and {@code ip xfrm policy} share: the service, and how a command word is matched. */
abstract class XfrmObject {
    final XfrmService xfrm;
    final XfrmCommand context;
    private final List<String> commands;
    private final String accepted;

    /**
     * @param commands in iproute2's order of trial (a prefix means the first that starts with it)
     * @param accepted the commands as the error for an unknown one lists them
     */
    XfrmObject(XfrmCommand context, List<String> commands, String accepted) {
        this.xfrm = context.xfrm;
        this.context = context;
        this.commands = commands;
        this.accepted = accepted;
    }

    /** Runs {@code command} (one of the commands, "list" when none was given). */
    abstract String run(String command, IpOptions options, Args args);

    final String run(IpOptions options, Args args) {
        if (!args.hasNext()) {
            return run("list", options, args);
        }
        String word = args.next();
        String command = Args.match(word, commands);
        if (command == null) {
            throw new CommandException("Error: command \"" + word + "\" is unknown: expected one of " + accepted);
        }
        return run(command, options, args);
    }
}
