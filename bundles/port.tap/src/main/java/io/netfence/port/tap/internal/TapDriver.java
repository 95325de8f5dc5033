package io.netfence.port.tap.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import org.osgi.service.component.annotations.Component;

/** The {@code tap} link type: a Linux TAP interface, so the host kernel is the port's neighbour. */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + TapDriver.TYPE)
public final class TapDriver implements PortDriver {
    static final String TYPE = "tap";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return "[ifname KERNELNAME]";
    }

    @Override
    public void validate(PortSpec spec) {
        TapOptions.kernelName(spec);
    }

    @Override
    public PortDevice open(PortSpec spec) {
        String kernelName = TapOptions.kernelName(spec);
        try {
            return TapDevice.open(kernelName, spec.rxQueues(), spec.mtu());
        } catch (LinkageError | UnsupportedOperationException | IllegalCallerException e) {
            throw new NetException("TAP ports need Linux with native access enabled (--enable-native-access=ALL-UNNAMED): " + e + ".", e);
        }
    }
}
