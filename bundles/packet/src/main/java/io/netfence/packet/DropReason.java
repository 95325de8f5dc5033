package io.netfence.packet;

/**
 * Why a packet was dropped. Every drop is counted under one of these, per port, so an operator
 * can tell a hostile packet from a missing route. The {@link #label()} is what `ip -s link` and
 * JSON output show; keep labels stable, they are part of the user interface.
 */
public enum DropReason {
    // Malformed input (the dissector)
    TRUNCATED_ETHERNET("truncated_eth"),
    TRUNCATED_VLAN("truncated_vlan"),
    TRUNCATED_ARP("truncated_arp"),
    BAD_ARP("bad_arp"),
    TRUNCATED_IPV4("truncated_ipv4"),
    BAD_IP_VERSION("bad_ip_version"),
    BAD_IPV4_HEADER_LENGTH("bad_ipv4_ihl"),
    BAD_IPV4_TOTAL_LENGTH("bad_ipv4_len"),
    BAD_IPV4_CHECKSUM("bad_ipv4_csum"),
    /** A multicast or limited-broadcast IPv4 source address, never valid on the wire. */
    BAD_IPV4_ADDRESS("bad_ipv4_addr"),
    TRUNCATED_IPV6("truncated_ipv6"),
    BAD_IPV6_PAYLOAD_LENGTH("bad_ipv6_len"),
    BAD_IPV6_EXTENSION_HEADER("bad_ipv6_exthdr"),
    IPV6_EXTENSION_HEADER_LIMIT("ipv6_exthdr_limit"),
    /** A multicast IPv6 source address, which RFC 4291 section 2.7 forbids. */
    BAD_IPV6_ADDRESS("bad_ipv6_addr"),
    TRUNCATED_L4("truncated_l4"),
    /** A transport header whose own length field is impossible (TCP data offset < 20, UDP length < 8). */
    BAD_L4_HEADER("bad_l4_hdr"),
    BAD_L4_CHECKSUM("bad_l4_csum"),
    BAD_ICMP("bad_icmp"),
    // Forwarding decisions
    LINK_DOWN("link_down"),
    NOT_FOR_US("not_for_us"),
    UNSUPPORTED_ETHERTYPE("unsupported_ethertype"),
    UNSUPPORTED_PROTOCOL("unsupported_proto"),
    NO_ROUTE("no_route"),
    BLACKHOLE("blackhole"),
    TTL_EXCEEDED("ttl_exceeded"),
    MTU_EXCEEDED("mtu_exceeded"),
    NEIGHBOUR_UNRESOLVED("neigh_unresolved"),
    NEIGHBOUR_QUEUE_FULL("neigh_queue_full"),
    MARTIAN("martian"),
    TX_ERROR("tx_error"),
    TX_QUEUE_FULL("tx_queue_full"),
    RX_ERROR("rx_error"),
    STAGE_DROP("stage_drop"),
    // IPsec (the xfrm layer), named after Linux's /proc/net/xfrm_stat where one exists
    /** ESP to this appliance with an SPI no SA has (XfrmInNoStates). */
    XFRM_NO_STATE("xfrm_no_state"),
    /** A sequence number already seen (XfrmInStateSeqError). */
    XFRM_REPLAY("xfrm_replay"),
    /** A sequence number below the replay window. */
    XFRM_REPLAY_WINDOW("xfrm_replay_window"),
    /** The ICV did not verify (XfrmInStateProtoError). */
    XFRM_AUTH("xfrm_auth"),
    /** Malformed ESP: length not a whole number of blocks, bad padding or next header. */
    XFRM_BAD_ESP("xfrm_bad_esp"),
    /** A block policy matched (XfrmOutPolBlock / XfrmInPolBlock). */
    XFRM_POLICY_BLOCK("xfrm_policy_block"),
    /** A policy wants an SA that does not exist yet: an acquire went out (XfrmOutNoStates). */
    XFRM_ACQUIRE("xfrm_acquire"),
    /** A policy requires protection the packet did not arrive with (XfrmInTmplMismatch). */
    XFRM_TEMPLATE_MISMATCH("xfrm_tmpl_mismatch"),
    /** Decrypted tunnel traffic no in/fwd policy accepts, or traffic routed into an xfrm interface no policy covers (XfrmInNoPols). */
    XFRM_NO_POLICY("xfrm_no_policy"),
    /** The SA reached a hard limit, or its outbound sequence numbers are used up (XfrmOutStateExpired). */
    XFRM_EXPIRED("xfrm_expired"),
    /** The durable sequence-number mark is behind; no number was used. */
    XFRM_SEQ_NOT_DURABLE("xfrm_seq_not_durable"),
    /** The packet plus ESP overhead exceeds the path MTU and may not be fragmented. */
    XFRM_MTU("xfrm_mtu"),
    // tc (traffic control)
    /** A tc action dropped it (gact drop, police exceed drop, a stolen packet nothing took). */
    TC_DROP("tc_drop"),
    /** It went round reclassify or goto chain more often than the loop limit allows. */
    TC_RECLASSIFY_LOOP("tc_reclassify_loop"),
    /** Redirected from one egress to another more often than the nest limit allows (Linux's MIRRED_NEST_LIMIT). */
    TC_REDIRECT_LOOP("tc_redirect_loop"),
    // IP reassembly (datagrams addressed to the appliance), after Linux's skb drop reasons
    /** The datagram was not complete within the reassembly time (30 s, Linux's ipfrag_time); each fragment held is counted. */
    FRAG_TIMEOUT("frag_timeout"),
    /** A fragment overlapped another one partly: the whole datagram is discarded (RFC 5722; Linux does the same for IPv4). */
    FRAG_OVERLAP("frag_overlap"),
    /** A fragment whose bytes had all arrived already: it alone is dropped, the datagram goes on. */
    FRAG_DUPLICATE("frag_dup"),
    /** The fragments describe a datagram larger than 65535 bytes: the whole datagram is discarded. */
    FRAG_TOO_BIG("frag_too_big"),
    /** The reassembly memory (Linux's ipfrag_high_thresh, 4 MB) or its table of datagrams is full. */
    FRAG_MEM("frag_mem"),
    /**
     * Fragments that contradict each other (two different last fragments, data beyond the last
     * one), an empty fragment, or an IPv6 fragment with M set whose length is not a multiple of 8.
     */
    FRAG_INVALID("frag_invalid");

    private static final DropReason[] VALUES = values();
    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static DropReason of(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
