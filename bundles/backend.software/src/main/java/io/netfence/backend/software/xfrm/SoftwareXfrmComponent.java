package io.netfence.backend.software.xfrm;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software backend as an OSGi service, fed by whatever crypto engines are installed. The
 * operator's engine choices ({@code crypto engine CIPHER ENGINE}) are kept in
 * {@code crypto-engines.conf} in the data folder, one {@code CIPHER=ENGINE} per line.
 */
@Component(service = {XfrmOffloadProvider.class, SoftwareXfrmProvider.class}, immediate = true,
        property = XfrmOffloadProvider.BACKEND_PROPERTY + "=" + SoftwareXfrmProvider.NAME)
public final class SoftwareXfrmComponent extends SoftwareXfrmProvider {
    private static final Logger LOG = LoggerFactory.getLogger(SoftwareXfrmComponent.class);
    private Path file;

    @Activate
    void activate(BundleContext context) {
        String data = context.getProperty("netfence.data");
        if (data == null || data.isBlank()) {
            return;
        }
        file = Path.of(data, "crypto-engines.conf");
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                EspSuite.Cipher c = eq < 0 ? null : EspSuite.Cipher.ofLinuxName(line.substring(0, eq).strip());
                if (c == null) {
                    LOG.warn("{}: line \"{}\" skipped: expected CIPHER=ENGINE", file, line);
                } else {
                    super.pin(c, line.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read {}: crypto engines chosen automatically", file, e);
        }
    }

    @Override
    public synchronized void pin(EspSuite.Cipher cipher, String name) {
        super.pin(cipher, name);
        if (file == null) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (EspSuite.Cipher c : EspSuite.Cipher.values()) {
            if (pinned(c) != null) {
                lines.add(c.linuxName() + "=" + pinned(c));
            }
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error("cannot write {}: the engine choice will not survive a restart", file, e);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindEngine(CryptoEngine engine) {
        addEngine(engine);
    }

    void unbindEngine(CryptoEngine engine) {
        removeEngine(engine);
    }
}
