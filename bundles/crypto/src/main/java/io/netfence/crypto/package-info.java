/**
 * ESP cryptography for the IPsec dataplane: the algorithm suites users configure with
 * {@code ip xfrm state} ({@link io.netfence.crypto.EspSuite}), one transform interface that seals
 * and opens ESP packets in place ({@link io.netfence.crypto.EspTransform}), and the engine SPI that
 * implementations register as OSGi services ({@link io.netfence.crypto.CryptoEngine}): the JDK's
 * provider and Bouncy Castle, chosen per algorithm.
 */
@Export
@Version("1.1.0")
package io.netfence.crypto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
