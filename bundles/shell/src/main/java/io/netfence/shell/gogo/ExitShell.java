package io.netfence.shell.gogo;

import io.netfence.shell.text.CommandException;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Gogo command {@code netfence:exit}: stops the appliance as Ctrl-D does, by stopping the
 * framework (every bundle stops in order, the configuration is already saved; the launcher then
 * exits). The console profile also adds java.lang.System's methods as commands, and without this
 * one "exit" would find System.exit(int) and fail for want of a number.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=exit"})
public class ExitShell {
    private final BundleContext context;

    @Activate
    public ExitShell(BundleContext context) {
        this.context = context;
    }

    @Descriptor("stop the appliance (its configuration is saved as it changes) and leave the shell")
    public void exit(@Descriptor("nothing") String... args) {
        if (args.length > 0) {
            throw CommandException.badArgument(args[0], "expected exit without arguments");
        }
        try {
            // Felix stops the framework on a thread of its own: this command returns first.
            context.getBundle(0).stop();
        } catch (BundleException e) {
            throw new CommandException("Error: the appliance could not be stopped: " + e.getMessage(), e);
        }
    }
}
