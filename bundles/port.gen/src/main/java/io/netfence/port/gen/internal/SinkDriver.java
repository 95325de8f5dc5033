package io.netfence.port.gen.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import org.osgi.service.component.annotations.Component;

/** The {@code sink} link type: counts transmitted frames and discards them, the far end of a benchmark. */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + SinkDriver.TYPE)
public final class SinkDriver implements PortDriver {
    static final String TYPE = "sink";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public void validate(PortSpec spec) {
        if (!spec.args().isEmpty()) {
            throw new NetException("unknown argument \"" + spec.args().getFirst() + "\": expected sink with no arguments");
        }
    }

    @Override
    public PortDevice open(PortSpec spec) {
        validate(spec);
        return new SinkDevice();
    }
}
