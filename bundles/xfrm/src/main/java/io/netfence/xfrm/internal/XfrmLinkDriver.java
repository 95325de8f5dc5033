package io.netfence.xfrm.internal;

import io.netfence.net.spi.DriverArgs;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * {@code ip link add NAME type xfrm [dev DEV] if_id N}: a route-based IPsec interface. It has no
 * wire: what is routed into it is encrypted by the SAs of the policies with its if_id (the
 * dataplane sees {@link PortDevice#xfrmIfId()}), and what those SAs decrypt arrives on it.
 */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + XfrmLinkDriver.TYPE)
public final class XfrmLinkDriver implements PortDriver {
    static final String TYPE = "xfrm";
    private static final String USAGE = "[dev PHYS_DEV] if_id IF_ID";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public void validate(PortSpec spec) {
        parse(spec);
    }

    private static XfrmDevice parse(PortSpec spec) {
        DriverArgs args = new DriverArgs(USAGE, spec.args());
        String dev = null;
        int ifId = 0;
        while (args.hasNext()) {
            switch (args.keyword(Set.of("dev", "if_id"))) {
                case "dev" -> dev = args.value("dev", "PHYS_DEV");
                default -> {
                    String v = args.value("if_id", "IF_ID");
                    ifId = (int) DriverArgs.number("if_id", v, 1, 0xFFFF_FFFFL, false, "1-4294967295 (0 means none)");
                }
            }
        }
        if (ifId == 0) {
            throw DriverArgs.refuse("if_id", "0", "a non-zero if_id: type xfrm " + USAGE);
        }
        return new XfrmDevice(dev, ifId);
    }

    @Override
    public PortDevice open(PortSpec spec) {
        return parse(spec);
    }

    /** The interface itself: no queues, no transmit (the dataplane encrypts instead). */
    record XfrmDevice(String dev, int ifId) implements PortDevice {
        @Override
        public int rxQueues() {
            return 0;
        }

        @Override
        public int receive(int queue, PacketBatch batch) {
            return 0;
        }

        @Override
        public boolean transmit(PacketBuffer packet) {
            // Never reached: the dataplane hands what is routed here to IPsec.
            return false;
        }

        @Override
        public int xfrmIfId() {
            return ifId;
        }

        @Override
        public Map<String, String> details() {
            Map<String, String> d = new LinkedHashMap<>();
            if (dev != null) {
                d.put("dev", dev);
            }
            d.put("if_id", "0x" + Integer.toHexString(ifId));
            return d;
        }

        @Override
        public void close() {
        }
    }
}
