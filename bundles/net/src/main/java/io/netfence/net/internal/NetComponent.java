package io.netfence.net.internal;

import io.netfence.net.api.NetService;
import io.netfence.net.spi.Hook;
import io.netfence.net.spi.PacketStage;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.XfrmLayer;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.LoggerFactory;

/**
 * The dataplane as an OSGi service: one {@link ControlPlane}, fed by the whiteboard of port
 * drivers and packet stages, which may come and go while traffic flows. Configuration PID
 * {@value #PID} (e.g. {@code deploy/io.netfence.net.cfg} with {@code workers=4}).
 */
@Component(service = NetService.class, immediate = true, configurationPid = NetComponent.PID)
@Designate(ocd = NetComponent.Config.class)
public final class NetComponent extends ControlPlane {
    static final String PID = "io.netfence.net";
    /** Framework property naming the appliance's state folder (set by the launcher). */
    static final String DATA_PROPERTY = "netfence.data";

    @ObjectClassDefinition(name = "Netfence dataplane", description = "Worker threads of the forwarding dataplane.")
    public @interface Config {
        @AttributeDefinition(description = "Dataplane worker threads; 0 means one per core.", min = "0", max = "64")
        int workers() default 0;
    }

    @Activate
    public NetComponent(Config config) {
        super(workersOf(config), LoggerFactory.getLogger(NetService.class));
    }

    /** The configuration is kept in the appliance's data folder, when it has one (not in bare tests). */
    @Activate
    void activate(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        if (data != null && !data.isBlank()) {
            persistTo(Path.of(data, "dataplane.conf"));
        }
        start();
    }

    /** A new worker default (e.g. deploy/io.netfence.net.cfg changed) applies live, without a restart. */
    @Modified
    void modified(Config config) {
        applyDefaultWorkers(workersOf(config));
    }

    private static int workersOf(Config config) {
        return config.workers() > 0 ? Math.min(MAX_WORKERS, config.workers()) : Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDriver(PortDriver driver) {
        addDriver(driver);
    }

    void unbindDriver(PortDriver driver) {
        removeDriver(driver);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindXfrm(XfrmLayer layer) {
        setXfrmLayer(layer);
    }

    void unbindXfrm(XfrmLayer layer) {
        clearXfrmLayer(layer);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindStage(PacketStage stage, Map<String, Object> props) {
        Object hook = props.get(PacketStage.HOOK_PROPERTY);
        Object order = props.get(PacketStage.ORDER_PROPERTY);
        Hook h;
        try {
            h = Hook.valueOf(String.valueOf(hook));
        } catch (IllegalArgumentException e) {
            LoggerFactory.getLogger(NetService.class).warn("packet stage {} ignored: {}={} (expected INGRESS or EGRESS)",
                    stage.name(), PacketStage.HOOK_PROPERTY, hook);
            return;
        }
        int o = order instanceof Number n ? n.intValue() : order == null ? 0 : Integer.parseInt(order.toString());
        addStage(stage, h, o);
    }

    void unbindStage(PacketStage stage) {
        removeStage(stage);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindLinkListener(io.netfence.net.spi.LinkListener listener) {
        addLinkListener(listener);
    }

    void unbindLinkListener(io.netfence.net.spi.LinkListener listener) {
        removeLinkListener(listener);
    }
}
