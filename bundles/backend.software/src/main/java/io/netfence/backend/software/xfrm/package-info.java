/** The software backend's implementation of the xfrm offload SPI. */
@Export
@Version("0.1.0")
package io.netfence.backend.software.xfrm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
