package io.netfence.tc.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.spi.DurableFile;
import io.netfence.net.spi.LinkListener;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleContext;
import io.netfence.tc.api.TcService;
import io.netfence.tc.spi.TcOffloadProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tc core as an OSGi service. Devices are the links of {@link NetService}; providers (the
 * software dataplane and offload devices) come and go at any time: one arriving is given every
 * binding and filter it should hold, one leaving is forgotten. Stopping takes every filter back
 * from the providers that remain; a link deleted takes its qdiscs along (filters elsewhere that
 * name it stay: providers resolve mirred and indev by name). The configuration is kept in
 * {@code tc.conf} in the data folder and replayed at start, such filters included.
 */
@Component(service = {TcService.class, LinkListener.class}, immediate = true)
public final class TcComponent extends TcCore implements LinkListener {
    private static final Logger LOG = LoggerFactory.getLogger(TcService.class);

    /** The framework property naming the appliance's data folder (tc.conf lives there). */
    static final String DATA_PROPERTY = "netfence.data";
    private DurableFile file;

    @Activate
    public TcComponent(@Reference(name = "net") NetService net, BundleContext context) {
        super(dev -> linkExists(net, dev));
        String data = context.getProperty(DATA_PROPERTY);
        if (data != null && !data.isBlank()) {
            Path path = Path.of(data, "tc.conf");
            try {
                List<String> lines = DurableFile.readLines(path);
                restore(() -> TcConfigFile.load(lines, this, path, LOG));
            } catch (RuntimeException e) {
                LOG.error("cannot read {}: tc starts empty", path, e);
            }
            file = new DurableFile(path, TcConfigFile.HEADER, false, () -> TcConfigFile.lines(configuration()), LOG);
            onChange(file::changed);
        }
    }

    private static boolean linkExists(NetService net, String dev) {
        try {
            net.link(dev);
            return true;
        } catch (NetException e) {
            return false;
        }
    }

    @Override
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeProvider")
    public void addProvider(TcOffloadProvider provider) {
        super.addProvider(provider);
    }

    @Override
    public void removeProvider(TcOffloadProvider provider) {
        super.removeProvider(provider);
    }

    /** As on Linux, a device's qdiscs (and the filters of their own blocks) go away with it. */
    @Override
    public void linkRemoved(String name, int index) {
        if (qdiscs().stream().anyMatch(q -> q.dev().equals(name))) {
            deleteQdisc(name, null);
        }
    }

    @Override
    public boolean awaitSaved(long timeoutMillis) throws InterruptedException {
        return file == null || file.awaitIdle(timeoutMillis);
    }

    @Override
    protected void warn(String message) {
        LOG.warn(message);
    }

    @Deactivate
    void deactivate() {
        if (file != null) {
            file.close();
        }
        close();
    }
}
