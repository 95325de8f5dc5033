package io.netfence.shell.gogo;

import io.netfence.shell.ip.BatchException;
import io.netfence.shell.tc.TcShellCommand;
import io.netfence.tc.api.TcService;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo command {@code netfence:tc}. The TcService is optional and dynamic; no member of this
 * class has a tc type in its signature (the service is held as an Object), so the class loads when
 * the optional tc packages are not there, and only {@link TcShellCommand} links them.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=tc"})
public class TcShell {
    static final String NOT_AVAILABLE = "Error: tc is not available: no TcService is registered;"
            + " expected the netfence-tc feature to be installed (see feature list)";
    private final OptionalService tc = new OptionalService();

    @Reference(service = TcService.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindTc")
    void bindTc(Object service) {
        tc.bind(service);
    }

    void unbindTc(Object service) {
        tc.unbind(service);
    }

    @Descriptor("traffic control as Linux tc does it: tc [OPTIONS] qdisc|filter|chain|actions COMMAND ..., tc [-force] -batch FILE;"
            + " \"tc help\" explains")
    public Object tc(CommandSession session,
                     @Descriptor("options, then qdisc | filter | chain | actions, a command and its arguments") String... args) {
        Object service = tc.get();
        if (service == null) {
            throw new io.netfence.shell.text.CommandException(NOT_AVAILABLE);
        }
        try {
            return TcCalls.run(service, IpShell.batchInput(session), List.of(args));
        } catch (BatchException e) {
            if (!e.output().isEmpty()) {
                System.out.println(e.output());
            }
            throw e;
        }
    }

    /** The only place that links the tc packages: loaded on the first tc command. */
    private static final class TcCalls {
        static String run(Object service, io.netfence.shell.ip.BatchInput input, List<String> args) {
            return new TcShellCommand((TcService) service).execute(input, args);
        }
    }
}
