package io.netfence.xfrm.internal;

import io.netfence.net.spi.XfrmLayer;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xfrm core as OSGi services: the SAD/SPD ({@link XfrmService}) for the shell, and the IPsec
 * layer ({@link XfrmLayer}) the dataplane calls. It needs the software backend (every SA can
 * always fall back to it) and takes device backends as they come and go (providers with the
 * service property {@value XfrmOffloadProvider#DEVICES_PROPERTY}); in the appliance's data
 * folder it keeps {@code xfrm.conf} (SAs and policies) and {@code xfrm-seq/} (the durable
 * outbound sequence marks). {@code xfrm.conf} is read in {@link #activate}, after the device
 * backends present at start were bound, so offloaded SAs find their devices.
 *
 * <p>{@code xfrm.conf} is written by a background writer, coalesced: a change queues one write of
 * whatever the SAD and SPD hold when it runs, at most every {@value #SAVE_DELAY_MS} ms (longer
 * if writes are slow), so a batch of N changes costs a few writes, not N. Stopping the component
 * writes what is still queued.
 */
@Component(service = {XfrmService.class, XfrmLayer.class}, immediate = true)
public final class XfrmComponent extends XfrmCore {
    private static final Logger LOG = LoggerFactory.getLogger(XfrmService.class);
    static final String DATA_PROPERTY = "netfence.data";

    /** The least time from a change to its write. */
    static final long SAVE_DELAY_MS = 200;

    private final ScheduledExecutorService housekeeper = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("xfrm-housekeeper").unstarted(r));
    private final CoalescingWriter writer = new CoalescingWriter("xfrm-conf-writer", SAVE_DELAY_MS, this::save);
    private FileSequenceStore sequences;
    private XfrmConfigFile file;
    private volatile boolean loading;
    private volatile boolean closing;
    private final String data;

    @Activate
    public XfrmComponent(@Reference(target = "(" + XfrmOffloadProvider.BACKEND_PROPERTY + "=software)") XfrmOffloadProvider software,
                         BundleContext context) {
        setSoftwareBackend(software);
        this.data = context.getProperty(DATA_PROPERTY);
    }

    /** Device backends: each device named in the service property gets this provider. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + XfrmOffloadProvider.DEVICES_PROPERTY + "=*)")
    void bindDeviceBackend(XfrmOffloadProvider provider, Map<String, Object> properties) {
        for (String device : devices(properties)) {
            try {
                addDeviceBackend(device, provider);
            } catch (RuntimeException e) {
                LOG.warn("xfrm device backend {} not used for dev {}: {}", provider.name(), device, e.getMessage());
            }
        }
    }

    void unbindDeviceBackend(XfrmOffloadProvider provider, Map<String, Object> properties) {
        if (closing) {
            // DS unbinds after deactivate: the core is going down, not the device; xfrm.conf keeps its SAs.
            return;
        }
        for (String device : devices(properties)) {
            removeDeviceBackend(device, provider);
        }
    }

    static List<String> devices(Map<String, Object> properties) {
        Object v = properties.get(XfrmOffloadProvider.DEVICES_PROPERTY);
        if (v instanceof String s) {
            return List.of(s.split("[,\\s]+"));
        } else if (v instanceof String[] a) {
            return List.of(a);
        } else if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    @Activate
    void activate() {
        if (data != null && !data.isBlank()) {
            sequences = new FileSequenceStore(Path.of(data, "xfrm-seq"));
            setSequenceStore(sequences);
            file = new XfrmConfigFile(Path.of(data, "xfrm.conf"), LOG);
            loading = true;
            try {
                long t0 = System.nanoTime();
                int n = file.load(this);
                if (n > 0) {
                    LOG.info("xfrm: {} SAs and policies loaded from {} in {} ms", n, Path.of(data, "xfrm.conf"),
                            (System.nanoTime() - t0) / 1_000_000);
                }
            } catch (IOException e) {
                LOG.error("cannot read {}: IPsec state starts empty", Path.of(data, "xfrm.conf"), e);
            } finally {
                loading = false;
            }
            onChange(this::requestSave);
        }
        housekeeper.scheduleWithFixedDelay(this::housekeepSafely, 1, 1, TimeUnit.SECONDS);
    }

    private void requestSave() {
        if (!loading) {
            writer.request();
        }
    }

    private void save() {
        markUsageSaved();
        try {
            file.save(this);
        } catch (IOException e) {
            LOG.error("cannot write xfrm.conf: the last IPsec change will not survive a restart", e);
        }
    }

    private void housekeepSafely() {
        try {
            housekeep();
        } catch (RuntimeException e) {
            LOG.warn("xfrm housekeeping failed", e);
        }
    }

    @Deactivate
    void deactivate() {
        closing = true;
        housekeeper.shutdownNow();
        // What is still queued is written before the component goes, and counters that moved since the last write.
        if (file != null && usageMovedSinceSave()) {
            writer.request();
        }
        writer.close();
        close();
        if (sequences != null) {
            sequences.close();
        }
    }
}
