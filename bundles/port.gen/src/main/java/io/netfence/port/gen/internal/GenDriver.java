package io.netfence.port.gen.internal;

import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.MacAddress;
import org.osgi.service.component.annotations.Component;

/** The {@code gen} link type: a traffic generator that "receives" built frames at a chosen rate. */
@Component(service = PortDriver.class, immediate = true, property = PortDriver.TYPE_PROPERTY + "=" + GenDriver.TYPE)
public final class GenDriver implements PortDriver {
    static final String TYPE = "gen";
    /** Default source MAC: locally administered, spelling "nfgen". */
    static final long DEFAULT_SMAC = 0x02_6E_66_67_65_6EL;
    /** Most queues a generator port gets: more than any machine has workers. */
    static final int MAX_QUEUES = 1024;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String usage() {
        return GenOptions.USAGE.substring(TYPE.length() + 1);
    }

    @Override
    public void validate(PortSpec spec) {
        GenOptions.parse(spec.args());
    }

    @Override
    public PortDevice open(PortSpec spec) {
        GenOptions options = GenOptions.parse(spec.args());
        // Frames are addressed to the port itself so the dataplane takes them as its own traffic.
        long dmac = options.dmac() != null ? options.dmac().bits()
                : spec.mac() != null && !spec.mac().equals(MacAddress.ZERO) ? spec.mac().bits() : MacAddress.BROADCAST.bits();
        long smac = options.smac() != null ? options.smac().bits() : DEFAULT_SMAC;
        FrameTemplate template = options.template() != null
                ? FrameTemplate.of(TemplateReader.firstFrame(options.template()), options.flows())
                : FrameTemplate.build(options, dmac, smac);
        int queues = Math.clamp(spec.rxQueues(), 1, MAX_QUEUES);
        return new GenDevice(options, template, dmac, smac, queues);
    }
}
