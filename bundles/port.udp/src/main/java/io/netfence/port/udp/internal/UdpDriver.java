package io.netfence.port.udp.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code udp} link type: a UDP socket of the host, so that a peer on another host or network
 * namespace can exchange UDP (ESP in UDP and IKE on port 4500, RFC 3948) with the dataplane.
 */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + UdpDriver.TYPE)
public final class UdpDriver implements PortDriver {
    static final String TYPE = "udp";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return UdpOptions.USAGE.substring(TYPE.length() + 1);
    }

    @Override
    public void validate(PortSpec spec) {
        UdpOptions.parse(spec.args());
    }

    @Override
    public PortDevice open(PortSpec spec) {
        UdpOptions options = UdpOptions.parse(spec.args());
        long mac = spec.mac() == null ? 0 : spec.mac().bits();
        try {
            return UdpDevice.open(options, mac);
        } catch (LinkageError | UnsupportedOperationException | IllegalCallerException e) {
            throw new NetException("UDP ports need Linux with native access enabled (--enable-native-access=ALL-UNNAMED): " + e + ".", e);
        }
    }
}
