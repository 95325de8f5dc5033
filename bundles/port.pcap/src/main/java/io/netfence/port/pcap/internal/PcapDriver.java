package io.netfence.port.pcap.internal;

import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import org.osgi.service.component.annotations.Component;

/** The {@code pcap} link type: replays one capture file as received traffic and records transmitted frames to another. */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + PcapDriver.TYPE)
public final class PcapDriver implements PortDriver {
    static final String TYPE = "pcap";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return "[rx FILE] [tx FILE] [loop COUNT] [rate PPS]";
    }

    @Override
    public void validate(PortSpec spec) {
        PcapOptions.parse(spec.args());
    }

    @Override
    public PortDevice open(PortSpec spec) {
        PcapOptions options = PcapOptions.parse(spec.args());
        PcapReader reader = options.rx() == null ? null : PcapReader.open(options.rx());
        PcapWriter writer = null;
        try {
            if (options.tx() != null) {
                writer = PcapWriter.open(options.tx(), spec.name());
            }
        } catch (RuntimeException e) {
            if (reader != null) {
                reader.close();
            }
            throw e;
        }
        return new PcapDevice(options, reader, writer);
    }
}
