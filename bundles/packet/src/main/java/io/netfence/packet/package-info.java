/**
 * Packets without OSGi: reusable buffers and batches, header accessors and builders for
 * Ethernet, 802.1Q, ARP, IPv4, IPv6, ICMP, ICMPv6, UDP, TCP and ESP, checksums, and the
 * flow-key dissector that tc and xfrm selectors match on. Nothing on the per-packet path allocates.
 */
@Export
@Version("1.2.0")
package io.netfence.packet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
