package io.netfence.backend.software.xfrm;

import io.netfence.crypto.CryptoEngine;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The software backend as an OSGi service, fed by whatever crypto engines are installed. */
@Component(service = {XfrmOffloadProvider.class, SoftwareXfrmProvider.class}, immediate = true,
        property = XfrmOffloadProvider.BACKEND_PROPERTY + "=" + SoftwareXfrmProvider.NAME)
public final class SoftwareXfrmComponent extends SoftwareXfrmProvider {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindEngine(CryptoEngine engine) {
        addEngine(engine);
    }

    void unbindEngine(CryptoEngine engine) {
        removeEngine(engine);
    }
}
