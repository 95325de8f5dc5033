package io.netfence.shell.gogo;

import io.netfence.net.api.NetService;
import io.netfence.shell.bench.BenchCommand;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code netfence:bench}. */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=bench"})
public class BenchShell {
    private final BenchCommand bench;

    @Activate
    public BenchShell(@Reference NetService net) {
        this.bench = new BenchCommand(net);
    }

    @Descriptor("measure forwarding in Mpps with generated traffic: bench [pps RATE] [count N] [size BYTES]"
            + " [flows N] [workers N] [seconds S]; Ctrl-C stops it and removes its setup")
    public Object bench(@Descriptor("parameters: pps, count, size, flows, workers, seconds, -j, help") String... args) {
        return bench.execute(args);
    }
}
