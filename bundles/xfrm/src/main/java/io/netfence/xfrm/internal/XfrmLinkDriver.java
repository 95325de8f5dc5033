package io.netfence.xfrm.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.DriverArgs;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.HashMap;
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

    /** The open interfaces by if_id: as in Linux (xfrmi_newlink), two cannot share one. */
    private final Map<Integer, String> open = new HashMap<>();

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
        checkFree(spec.name(), parse(spec).ifId());
    }

    private synchronized void checkFree(String name, int ifId) {
        String owner = open.get(ifId);
        if (owner != null && !owner.equals(name)) {
            throw new NetException("if_id " + Integer.toUnsignedString(ifId) + " is taken by " + owner
                    + ": each xfrm interface needs its own if_id (RTNETLINK answers: File exists)");
        }
    }

    private XfrmDevice parse(PortSpec spec) {
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
        return new XfrmDevice(spec.name(), dev, ifId);
    }

    @Override
    public PortDevice open(PortSpec spec) {
        XfrmDevice d = parse(spec);
        synchronized (this) {
            checkFree(spec.name(), d.ifId());
            open.put(d.ifId(), spec.name());
        }
        return d;
    }

    private synchronized void closed(XfrmDevice d) {
        open.remove(d.ifId(), d.name);
    }

    /** The interface itself: no queues, no transmit (the dataplane encrypts instead). */
    final class XfrmDevice implements PortDevice {
        private final String name;
        private final String dev;
        private final int ifId;

        XfrmDevice(String name, String dev, int ifId) {
            this.name = name;
            this.dev = dev;
            this.ifId = ifId;
        }

        int ifId() {
            return ifId;
        }

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
            closed(this);
        }
    }
}
