package io.netfence.backend.software.tc;

import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.spi.Hook;
import io.netfence.net.spi.LinkListener;
import io.netfence.net.spi.PacketStage;
import io.netfence.tc.api.PsampleService;
import io.netfence.tc.spi.TcOffloadProvider;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The software tc dataplane as OSGi services: the provider as {@link TcOffloadProvider}
 * ({@value #BACKEND_PROPERTY}={@value SoftwareTcProvider#NAME}), its sample groups as
 * {@link PsampleService}, and its two stages as
 * {@link PacketStage}s at INGRESS and EGRESS. Device names resolve through {@link NetService}, and
 * again whenever a link comes or goes (a {@link LinkListener}).
 */
@Component(service = {}, immediate = true)
public final class SoftwareTcComponent {
    /** Names the backend, as the xfrm providers do. */
    static final String BACKEND_PROPERTY = "netfence.backend";
    /** tc runs right after receive (and right before transmit), ahead of later stages. */
    static final int STAGE_ORDER = 100;
    /** The link type of xfrm interfaces, which have no link-layer header in Linux. */
    static final String XFRM_TYPE = "xfrm";

    @Reference
    private NetService net;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        SoftwareTcProvider provider = new SoftwareTcProvider(new PortResolver() {
            @Override
            public int indexOf(String dev) {
                return portIndex(dev);
            }

            @Override
            public boolean headerless(String dev) {
                return isXfrmInterface(dev);
            }
        });
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(BACKEND_PROPERTY, SoftwareTcProvider.NAME);
        registrations.add(context.registerService(TcOffloadProvider.class, provider, props));
        registrations.add(context.registerService(PsampleService.class, provider.psample(), props));
        registrations.add(context.registerService(PacketStage.class, provider.ingressStage(), stageProperties(Hook.INGRESS)));
        registrations.add(context.registerService(PacketStage.class, provider.egressStage(), stageProperties(Hook.EGRESS)));
        registrations.add(context.registerService(LinkListener.class, new LinkListener() {
            @Override
            public void linkRemoved(String name, int index) {
                provider.linksChanged();
            }

            @Override
            public void linkAdded(String name, int index) {
                provider.linksChanged();
            }
        }, null));
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework unregisters a stopping bundle's services itself.
            }
        }
        registrations.clear();
    }

    private int portIndex(String dev) {
        try {
            return net.link(dev).index();
        } catch (NetException absent) {
            return -1;
        }
    }

    private boolean isXfrmInterface(String dev) {
        try {
            return XFRM_TYPE.equals(net.link(dev).type());
        } catch (NetException absent) {
            return false;
        }
    }

    private static Dictionary<String, Object> stageProperties(Hook hook) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(PacketStage.HOOK_PROPERTY, hook.name());
        props.put(PacketStage.ORDER_PROPERTY, STAGE_ORDER);
        return props;
    }
}
