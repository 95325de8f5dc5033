package io.netfence.tc.api;

/**
 * The keys of a {@code flower} filter. Every key is optional ({@link Masked#ANY}, {@code null} or
 * -1 when absent). The Ethernet type is the filter's {@code protocol}, as in Linux; the VLAN keys
 * need protocol 802.1Q (or 802.1ad) and then {@code vlanEthType} is the type behind the tag;
 * L3 keys need an IP type and L4 keys an {@code ipProto}. {@link FlowerMatch#validate} checks
 * those dependencies as tc does.
 */
public record FlowerMatch(
        String indev,
        Masked dstMac,
        Masked srcMac,
        int vlanId,
        int vlanPrio,
        int vlanEthType,
        int ipProto,
        Masked srcIp,
        Masked dstIp,
        PortRange srcPort,
        PortRange dstPort,
        Masked tcpFlags,
        Masked ipTos,
        Masked ipTtl,
        int icmpType,
        int icmpCode) implements Classifier {

    /** Matches every packet of the filter's protocol. */
    public static final FlowerMatch ANY = new Builder().build();

    public FlowerMatch {
        dstMac = dstMac == null ? Masked.ANY : dstMac;
        srcMac = srcMac == null ? Masked.ANY : srcMac;
        srcIp = srcIp == null ? Masked.ANY : srcIp;
        dstIp = dstIp == null ? Masked.ANY : dstIp;
        // The kernel (cls_flower fl_set_key) takes tcp_flags only under ip_proto tcp and drops them
        // silently otherwise: the filter then matches whatever the flags, and shows none.
        tcpFlags = tcpFlags == null || ipProto != 6 ? Masked.ANY : tcpFlags;
        ipTos = ipTos == null ? Masked.ANY : ipTos;
        ipTtl = ipTtl == null ? Masked.ANY : ipTtl;
        if (vlanId < -1 || vlanId > 4095) {
            throw new TcException("vlan_id: expected 0 to 4095");
        }
        if (vlanPrio < -1 || vlanPrio > 7) {
            throw new TcException("vlan_prio: expected 0 to 7");
        }
        if (ipProto < -1 || ipProto > 255) {
            throw new TcException("ip_proto: expected tcp, udp, sctp, icmp, icmpv6 or a number from 0 to 255");
        }
        if (icmpType < -1 || icmpType > 255) {
            throw new TcException("type: expected an ICMP type from 0 to 255");
        }
        if (icmpCode < -1 || icmpCode > 255) {
            throw new TcException("code: expected an ICMP code from 0 to 255");
        }
    }

    @Override
    public String kind() {
        return "flower";
    }

    /**
     * Checks the keys against the filter's protocol (an Ethernet type, {@code 0x0003} for all) the
     * way tc flower does; throws naming the key that needs a protocol it does not have.
     */
    public void validate(int protocol) {
        int l3 = protocol;
        boolean vlanProto = protocol == EtherTypes.VLAN || protocol == EtherTypes.QINQ;
        if ((vlanId >= 0 || vlanPrio >= 0 || vlanEthType != 0) && !vlanProto) {
            throw new TcException((vlanId >= 0 ? "vlan_id" : vlanPrio >= 0 ? "vlan_prio" : "vlan_ethtype")
                    + ": needs protocol 802.1Q or 802.1ad");
        }
        if (vlanProto) {
            l3 = vlanEthType;
        }
        boolean ip4 = l3 == EtherTypes.IPV4;
        boolean ip6 = l3 == EtherTypes.IPV6;
        boolean ipKeys = ipProto >= 0 || !srcIp.isAny() || !dstIp.isAny() || !ipTos.isAny() || !ipTtl.isAny();
        if (ipKeys && !ip4 && !ip6) {
            String key = ipProto >= 0 ? "ip_proto" : !srcIp.isAny() ? "src_ip" : !dstIp.isAny() ? "dst_ip" : !ipTos.isAny() ? "ip_tos" : "ip_ttl";
            throw new TcException(key + ": needs protocol ip or ipv6" + (vlanProto ? " (vlan_ethtype)" : ""));
        }
        if ((srcIp.maskHi() != 0 || dstIp.maskHi() != 0) && ip4) {
            throw new TcException((srcIp.maskHi() != 0 ? "src_ip" : "dst_ip") + ": an IPv6 address needs protocol ipv6");
        }
        if ((srcPort != null || dstPort != null) && ipProto != 6 && ipProto != 17 && ipProto != 132) {
            throw new TcException((srcPort != null ? "src_port" : "dst_port") + ": needs ip_proto tcp, udp or sctp");
        }
        if ((icmpType >= 0 || icmpCode >= 0) && !((ip4 && ipProto == 1) || (ip6 && ipProto == 58))) {
            throw new TcException((icmpType >= 0 ? "type" : "code") + ": needs ip_proto icmp (ip) or icmpv6 (ipv6)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A mutable builder: the parser sets what the line gives. */
    public static final class Builder {
        public String indev;
        public Masked dstMac = Masked.ANY;
        public Masked srcMac = Masked.ANY;
        public int vlanId = -1;
        public int vlanPrio = -1;
        public int vlanEthType;
        public int ipProto = -1;
        public Masked srcIp = Masked.ANY;
        public Masked dstIp = Masked.ANY;
        public PortRange srcPort;
        public PortRange dstPort;
        public Masked tcpFlags = Masked.ANY;
        public Masked ipTos = Masked.ANY;
        public Masked ipTtl = Masked.ANY;
        public int icmpType = -1;
        public int icmpCode = -1;

        public FlowerMatch build() {
            return new FlowerMatch(indev, dstMac, srcMac, vlanId, vlanPrio, vlanEthType, ipProto, srcIp, dstIp, srcPort, dstPort,
                    tcpFlags, ipTos, ipTtl, icmpType, icmpCode);
        }
    }
}
