package io.netfence.xfrm.api;

import io.netfence.packet.IpAddress;

/**
 * A policy template ({@code tmpl src A dst B proto esp [spi N] mode tunnel|transport [reqid N]
 * [level required|use]}): what SA a packet matching the policy must go through. Tunnel endpoints
 * are required in tunnel mode; in transport mode they are the packet's own addresses (null here).
 *
 * @param spi      a specific SA, or 0 for any
 * @param reqid    0 for any SA whose addresses match
 * @param optional {@code level use}: if no SA exists the packet goes out unprotected
 */
public record Template(IpAddress src, IpAddress dst, int spi, XfrmMode mode, int reqid, boolean optional) {
    public Template {
        if (mode == XfrmMode.TUNNEL && (src == null || dst == null)) {
            throw new IllegalArgumentException("a tunnel-mode template needs src and dst");
        }
    }
}
