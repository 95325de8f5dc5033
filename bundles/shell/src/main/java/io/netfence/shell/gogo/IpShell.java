package io.netfence.shell.gogo;

import io.netfence.net.api.NetService;
import io.netfence.shell.ip.BatchException;
import io.netfence.shell.ip.BatchInput;
import io.netfence.shell.ip.IpCommand;
import io.netfence.xfrm.api.XfrmService;
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
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo command {@code netfence:ip}. Immediate, so Gogo keeps one instance rather than one per call.
 * The XfrmService is optional and dynamic: "ip xfrm" works while one is registered. No member of
 * this class has an xfrm type in its signature (the service is held as an Object), so the class
 * loads, and SCR can reflect on it, when the optional xfrm API package is not there.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=ip"})
public class IpShell {
    private final IpCommand ip;
    private final OptionalService xfrm = new OptionalService();

    @Activate
    public IpShell(@Reference NetService net) {
        this.ip = new IpCommand(net, xfrm);
    }

    @Reference(service = XfrmService.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindXfrm")
    void bindXfrm(Object service) {
        xfrm.bind(service);
    }

    void unbindXfrm(Object service) {
        xfrm.unbind(service);
    }

    @Descriptor("configure links, addresses, routes, neighbours and IPsec (xfrm) as iproute2 does: ip [OPTIONS] OBJECT"
            + " [COMMAND [ARGS]], ip [-force] -batch FILE; \"ip help\" explains")
    public Object ip(CommandSession session,
                     @Descriptor("options, then link | address | route | neigh | xfrm, a command and its arguments")
                     String... args) {
        try {
            // what "ip xfrm monitor" streams is printed on this thread: its System.out is the session's
            return ip.execute(batchInput(session), List.of(args), line -> {
                System.out.println(line);
                System.out.flush();
            });
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
