package io.netfence.shell.gogo;

import io.netfence.net.api.NetService;
import io.netfence.shell.dataplane.DataplaneCommand;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code netfence:dataplane}. */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=dataplane"})
public class DataplaneShell {
    private final DataplaneCommand dataplane;

    @Activate
    public DataplaneShell(@Reference NetService net) {
        this.dataplane = new DataplaneCommand(net);
    }

    @Descriptor("show the dataplane's worker threads and their RX queues, change their number, clear counters:"
            + " dataplane [-j] { show | set workers N | clear counters | help }")
    public Object dataplane(@Descriptor("a command and its arguments") String... args) {
        return dataplane.execute(args);
    }
}
