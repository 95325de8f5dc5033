/**
 * The {@code tc} command line both ways: {@link io.netfence.tc.syntax.TcParser} reads iproute2's
 * tc syntax into {@link io.netfence.tc.syntax.TcCommand}s over the {@code io.netfence.tc.api}
 * model, and {@link io.netfence.tc.syntax.TcPrinter} prints tc's show output (text and
 * {@code -j} JSON) and each object's canonical command line, which the parser reads back to an
 * equal object.
 */
@Export
@Version("0.1.0")
package io.netfence.tc.syntax;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
