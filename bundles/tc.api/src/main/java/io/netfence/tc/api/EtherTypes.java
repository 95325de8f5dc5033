package io.netfence.tc.api;

/** Ethernet types a filter's {@code protocol} names, with tc's words for them. */
public final class EtherTypes {
    /** {@code protocol all}: every frame (ETH_P_ALL). */
    public static final int ALL = 0x0003;
    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int VLAN = 0x8100;
    public static final int QINQ = 0x88A8;
    public static final int IPV6 = 0x86DD;
    public static final int MPLS_UC = 0x8847;

    private EtherTypes() {
    }

    /** tc's word for an Ethernet type ({@code ip}, {@code ipv6}, {@code 802.1Q}...), else its hex. */
    public static String name(int type) {
        return switch (type) {
            case ALL -> "all";
            case IPV4 -> "ip";
            case ARP -> "arp";
            case VLAN -> "802.1Q";
            case QINQ -> "802.1ad";
            case IPV6 -> "ipv6";
            case MPLS_UC -> "mpls_uc";
            default -> String.format("0x%04x", type);
        };
    }

    /** The Ethernet type for tc's word or a number (decimal or 0x hex); -1 if neither. */
    public static int parse(String word) {
        switch (word.toLowerCase(java.util.Locale.ROOT)) {
            case "all":
                return ALL;
            case "ip":
            case "ipv4":
                return IPV4;
            case "arp":
                return ARP;
            case "802.1q":
            case "8021q":
                return VLAN;
            case "802.1ad":
            case "8021ad":
                return QINQ;
            case "ipv6":
                return IPV6;
            case "mpls_uc":
                return MPLS_UC;
            default:
                try {
                    int v = word.startsWith("0x") || word.startsWith("0X") ? Integer.parseInt(word.substring(2), 16) : Integer.parseInt(word);
                    return v >= 0 && v <= 0xFFFF ? v : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
        }
    }
}
