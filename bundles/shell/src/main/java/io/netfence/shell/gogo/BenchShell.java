package io.netfence.shell.gogo;

import io.netfence.net.api.NetService;
import io.netfence.shell.bench.BenchCommand;
import io.netfence.xfrm.api.XfrmService;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The Gogo command {@code netfence:bench}. */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=bench"})
public class BenchShell {
    private final BenchCommand bench;
    /** The XfrmService for bench esp, held as an Object: the xfrm API is an optional import. */
    private final OptionalService xfrm = new OptionalService();
    /** The TcService for bench tc, likewise an Object. */
    private final OptionalService tc = new OptionalService();

    @Activate
    public BenchShell(@Reference NetService net) {
        this.bench = new BenchCommand(net, xfrm, tc, io.netfence.shell.bench.BenchClock.SYSTEM);
    }

    @Reference(service = io.netfence.tc.api.TcService.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindTc")
    void bindTc(Object service) {
        tc.bind(service);
    }

    void unbindTc(Object service) {
        tc.unbind(service);
    }

    @Reference(service = XfrmService.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindXfrm")
    void bindXfrm(Object service) {
        xfrm.bind(service);
    }

    void unbindXfrm(Object service) {
        xfrm.unbind(service);
    }

    @Descriptor("measure forwarding in Mpps with generated traffic: bench [pps RATE] [count N] [size BYTES]"
            + " [flows N] [workers N] [seconds S] [esp SUITE [encrypt | decrypt]] [tc RULES]; Ctrl-C stops it and removes its setup")
    public Object bench(@Descriptor("parameters: pps, count, size, flows, workers, seconds, esp, tc, -j, help") String... args) {
        return bench.execute(args);
    }
}
