package io.netfence.shell.gogo;

import io.netfence.net.api.NetService;
import io.netfence.shell.ip.BatchException;
import io.netfence.shell.ip.BatchInput;
import io.netfence.shell.ip.IpCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code netfence:ip}. Immediate, so Gogo keeps one instance rather than one per call. */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=ip"})
public class IpShell {
    private final IpCommand ip;

    @Activate
    public IpShell(@Reference NetService net) {
        this.ip = new IpCommand(net);
    }

    @Descriptor("configure links, addresses, routes and neighbours as iproute2 does: ip [OPTIONS] OBJECT"
            + " [COMMAND [ARGS]], ip [-force] -batch FILE; \"ip help\" explains")
    public Object ip(CommandSession session,
                     @Descriptor("options, then link | address | route | neigh, a command and its arguments")
                     String... args) {
        try {
            return ip.execute(batchInput(session), List.of(args));
        } catch (BatchException e) {
            // the lines that ran before the failure printed something: show it before the error
            if (!e.output().isEmpty()) {
                System.out.println(e.output());
            }
            throw e;
        }
    }

    /** Files relative to the session's directory; "-" is the command's input (closing it is left to Gogo). */
    static BatchInput batchInput(CommandSession session) {
        return name -> {
            if (name.equals("-")) {
                return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
                    @Override
                    public void close() {
                    }
                };
            }
            Path base = session == null || session.currentDir() == null ? Path.of("") : session.currentDir();
            return Files.newBufferedReader(base.resolve(name), StandardCharsets.UTF_8);
        };
    }
}
