package io.netfence.shell.gogo;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.shell.crypto.CryptoCommand;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo command {@code netfence:crypto}. The software backend is optional and dynamic, held as
 * an Object so that this class loads without its package.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=crypto"})
public class CryptoShell {
    private final OptionalService software = new OptionalService();
    private final CryptoCommand crypto = new CryptoCommand(software);

    @Reference(service = SoftwareXfrmProvider.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindSoftware")
    void bindSoftware(Object service) {
        software.bind(service);
    }

    void unbindSoftware(Object service) {
        software.unbind(service);
    }

    @Descriptor("show or choose the ESP crypto engine per cipher: crypto [-j] { show | engine CIPHER ENGINE|auto | help }")
    public Object crypto(@Descriptor("a command and its arguments") String... args) {
        return crypto.execute(args);
    }
}
