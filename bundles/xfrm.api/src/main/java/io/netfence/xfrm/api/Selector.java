package io.netfence.xfrm.api;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;

/**
 * What traffic a policy or an SA covers ({@code sel src PREFIX dst PREFIX [proto P] [sport N]
 * [dport N] [type N code N] [dev DEV]}), as Linux's {@code xfrm_selector}: ports with masks, and
 * for ICMP the type in the source port and the code in the destination port.
 *
 * @param proto  IP protocol, 0 for any
 * @param device the input or output device, null for any
 */
public record Selector(IpPrefix src, IpPrefix dst, int proto, int sport, int sportMask, int dport, int dportMask, String device) {
    public Selector {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("a selector needs src and dst prefixes");
        }
        sport &= sportMask;
        dport &= dportMask;
    }

    /** Everything of one family (4 or 6). */
    public static Selector any(int family) {
        IpAddress zero = family == 6 ? IpAddress.v6(0, 0) : IpAddress.v4(0);
        return new Selector(new IpPrefix(zero, 0), new IpPrefix(zero, 0), 0, 0, 0, 0, 0, null);
    }

    /** The address family, 4 or 6 (a selector whose prefixes disagree is refused by the core). */
    public int family() {
        return src.address().version();
    }

    /** True when the selector matches every packet of its family. */
    public boolean matchesAll() {
        return src.length() == 0 && dst.length() == 0 && proto == 0 && sportMask == 0 && dportMask == 0 && device == null;
    }
}
