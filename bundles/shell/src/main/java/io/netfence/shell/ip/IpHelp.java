package io.netfence.shell.ip;

import io.netfence.shell.text.Args;
import java.util.List;

/** Usage texts of {@code ip} in the style of iproute2's man pages: grammar, one line per command, examples. */
final class IpHelp {
    private IpHelp() {
    }

    static final String IP = """
            Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
                   ip [ -force ] -batch FILENAME
            where  OBJECT := { link | address | route | neigh | xfrm }
                   OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] | -o[neline] |
                                -4 | -6 | -f[amily] { inet | inet6 } | -b[atch] FILENAME | -force | -h[elp] }

            Configure the Netfence dataplane the way iproute2 configures Linux. Objects and commands
            may be abbreviated as in iproute2 (l, a, r, n, x; add, del, sh, ...).

            Objects:
              link       network devices: create, delete, bring up/down, set MTU and MAC, list with counters
              address    IPv4/IPv6 addresses of devices (each also installs its connected and local route)
              route      the routing table: table main (operator and connected routes), table local
              neigh      the neighbour (ARP/NDP) cache: static entries, learned entries
              xfrm       IPsec: SAs (xfrm state), security policies (xfrm policy), their events (xfrm monitor)

            Options:
              -s, -stats     show counters; give it twice (-s -s) for Netfence's per-reason drop counts
              -d, -details   show the link type, the driver's facts and the queue count
              -j, -json      print JSON as iproute2 does; -p, -pretty indents it
              -o, -oneline   one record per line (line breaks inside a record become '\\')
              -4, -6         only IPv4 / only IPv6 (also -family inet | inet6)
              -batch FILE    run the ip commands in FILE (one per line, without the leading "ip";
                             '#' starts a comment); stop at the first error unless -force.
                             FILE "-" is the standard input
              -h, -help      this text; "ip OBJECT help" explains an object

            Examples:
              ip link add pcap0 type pcap rx in.pcap tx out.pcap
              ip link set dev pcap0 up mtu 9000
              ip address add 10.0.0.1/24 dev eth0
              ip route add default via 10.0.0.254
              ip -s -s link show dev eth0
              ip -j -p address
              ip -s xfrm state
              ip -force -batch /etc/netfence/network.ip""";

    static final String LINK = """
            Usage: ip link add [ name ] NAME [ mtu MTU ] [ address LLADDR ] [ numrxqueues QUEUES ]
                               type TYPE [ ARGS ]
                   ip link delete { DEVICE | dev DEVICE }
                   ip link set { DEVICE | dev DEVICE } [ { up | down } ] [ mtu MTU ] [ address LLADDR ]
                   ip link [ show ] [ [ dev ] DEVICE ] [ up ] [ type TYPE ]
                   ip link help [ TYPE ]
            where  TYPE := one of the link drivers present (ip link add NAME type shows them)
                   MTU := 68-65535 (the driver may allow less)
                   LLADDR := a unicast MAC address like 02:00:00:00:00:01
                   QUEUES := 1-1024 receive queues, spread over the dataplane workers

            Commands:
              add      create a link; it starts down, as on Linux. ARGS after the type go to its driver;
                       "ip link help TYPE" prints them
              delete   remove a link with its addresses, routes and neighbours
              set      bring a link up or down, change its MTU or MAC address
              show     list links; -d adds the driver's facts, -s the counters

            Counters (-s): the RX/TX block is iproute2's. RX "dropped" counts every packet that arrived
            and was dropped anywhere in the packet path; with -s -s a Netfence line follows,
              RX drops: truncated_ipv4 3 bad_ipv4_csum 1
            the same packets counted by reason, most frequent first. TX "dropped" counts frames the
            driver refused.

            Examples:
              ip link add pcap0 type pcap rx in.pcap tx out.pcap
              ip link add tap0 numrxqueues 2 mtu 9000 type tap
              ip link set pcap0 up
              ip -s link show dev pcap0
              ip -d -j link""";

    static final String ADDRESS = """
            Usage: ip address { add | delete } PREFIX dev DEVICE
                   ip address flush [ dev ] DEVICE
                   ip address [ show ] [ [ dev ] DEVICE ] [ up ]
            where  PREFIX := ADDRESS[/LENGTH], e.g. 10.0.0.1/24 or 2001:db8::1/64 (no length: a host address)

            Commands:
              add      assign an address; its connected route (proto kernel scope link) and its local
                       route (table local) appear with it
              delete   remove an address (without /LENGTH: that address whatever its length)
              flush    remove every address of a device (-4 / -6: of one family)
              show     list links with their addresses; -4 / -6 show one family and only the
                       links that have such an address

            Examples:
              ip address add 10.0.0.1/24 dev eth0
              ip -6 address add 2001:db8::1/64 dev eth0
              ip address delete 10.0.0.1/24 dev eth0
              ip -4 address show dev eth0
              ip -j address""";

    static final String ROUTE = """
            Usage: ip route { add | change | replace | delete } ROUTE
                   ip route [ { show | list } ] [ table TABLE ] [ dev DEVICE ] [ type TYPE ] [ proto PROTO ]
                            [ { root | match | exact } PREFIX | PREFIX ]
                   ip route get ADDRESS
                   ip route flush [ table main ] | flush cache
            where  ROUTE := [ TYPE ] PREFIX [ via [ inet | inet6 ] ADDRESS ] [ dev DEVICE ]
                            [ metric NUMBER ] [ src ADDRESS ] [ table main ]
                   TYPE := { unicast | local | blackhole | unreachable | prohibit }
                   PREFIX := ADDRESS[/LENGTH] | default
                   TABLE := { main | local | all }

            Commands:
              add       add a route; refused if one with the same prefix and metric exists
              change    change an existing route (same prefix and metric)
              replace   add a route or replace the one with the same prefix and metric
              delete    delete the route matching PREFIX and whatever else is given (lowest metric first)
              show      list routes: table main by default (IPv4 unless -6 or an IPv6 prefix);
                        local routes live in table local; table all lists both families
              get       the route the dataplane would use for ADDRESS, its device, next hop and source
              flush     delete the static routes of one family (IPv4 unless -6); connected and local
                        routes stay with their addresses

            Types: unicast forwards (to the gateway, or directly on a connected link); local delivers
            to the appliance; blackhole drops silently; unreachable and prohibit drop and answer
            ICMP destination unreachable (host unreachable / administratively prohibited).

            Examples:
              ip route add default via 10.0.0.254
              ip route add 10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10
              ip route add blackhole 10.9.0.0/16
              ip -6 route add 2001:db8:2::/48 via fe80::1 dev eth1
              ip route get 10.2.0.5
              ip route show table all""";

    static final String NEIGH = """
            Usage: ip neigh { add | change | replace } ADDRESS lladdr LLADDR dev DEVICE [ nud permanent ]
                   ip neigh delete ADDRESS dev DEVICE
                   ip neigh flush { [ dev ] DEVICE | all }
                   ip neigh [ show ] [ dev DEVICE ] [ nud STATE ] [ [ to ] PREFIX ]
            where  STATE := { permanent | reachable | stale | incomplete | failed | all }

            Commands:
              add       add a static (PERMANENT) entry; refused if the entry exists
              change    overwrite an existing entry with a static one
              replace   add or overwrite a static entry
              delete    delete an entry
              flush     forget the learned entries of a device, or of all devices (static ones stay)
              show      list entries: ADDRESS dev DEVICE lladdr LLADDR STATE

            Examples:
              ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0
              ip neigh replace 2001:db8::2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent
              ip neigh show dev eth0
              ip neigh flush all""";

    static final String XFRM = """
            Usage: ip xfrm XFRM-OBJECT { COMMAND | help }
            where  XFRM-OBJECT := { state | policy | monitor }

            IPsec configured as on Linux: the SAs (the SAD) with xfrm state, the security policies
            (the SPD) with xfrm policy, and the events of both with xfrm monitor. Netfence implements
            ESP (RFC 4303) in transport and tunnel mode, with AES-GCM, ChaCha20-Poly1305, and AES-CBC
            with HMAC-SHA-2. Objects and commands may be abbreviated as in iproute2 (s or sa, p, m).
            The commands need the feature that provides IPsec (an XfrmService).

              ip xfrm state help     the SA commands
              ip xfrm policy help    the policy commands
              ip xfrm monitor help   the event stream

            Examples:
              ip xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128
              ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out tmpl src 192.168.1.1 dst 192.168.2.1 proto esp reqid 1 mode tunnel
              ip -s xfrm state
              ip xfrm monitor""";

    static final String XFRM_STATE = """
            Usage: ip xfrm state { add | update } ID ALGO-LIST [ mode MODE ] [ mark MARK [ mask MASK ] ]
                           [ reqid REQID ] [ replay-window SIZE ] [ replay-seq SEQ ] [ replay-oseq SEQ ]
                           [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ] [ flag FLAG-LIST ] [ sel SELECTOR ]
                           [ LIMIT-LIST ] [ encap ENCAP ] [ if_id IF_ID ]
                           [ offload [ crypto | packet ] dev DEV dir DIR ]
                   ip xfrm state allocspi ID [ mode MODE ] [ reqid REQID ] [ min SPI max SPI ]
                   ip xfrm state { delete | get } ID [ mark MARK [ mask MASK ] ]
                   ip [ -4 | -6 ] xfrm state deleteall [ ID ] [ mode MODE ] [ reqid REQID ] [ flag esn ]
                   ip [ -4 | -6 ] xfrm state [ list ] [ nokeys ] [ ID ] [ mode MODE ] [ reqid REQID ] [ flag esn ]
                   ip xfrm state flush [ proto esp ]
                   ip xfrm state count
            where  ID := src ADDR dst ADDR proto esp spi SPI
                         (allocspi takes no spi; list and deleteall take any of them, ADDR may be a PREFIX)
                   ALGO-LIST := aead AEAD-NAME KEY ICV-LEN | enc cbc(aes) KEY auth-trunc AUTH-NAME KEY TRUNC-LEN
                   AEAD-NAME := rfc4106(gcm(aes))               KEY of 128, 192 or 256 bits and a 32-bit salt;
                                                                ICV-LEN 64, 96 or 128
                              | rfc7539esp(chacha20,poly1305)   KEY of 256 bits and a 32-bit salt; ICV-LEN 128
                   AUTH-NAME := hmac(sha256) | hmac(sha384) | hmac(sha512)
                                KEY as long as the digest, TRUNC-LEN half the digest (RFC 4868)
                   KEY := 0x followed by an even number of hex digits (cbc(aes): 128, 192 or 256 bits)
                   MODE := transport | tunnel
                   SEQ := 0-4294967295: replay-seq is the newest inbound number already seen, replay-oseq the
                          last outbound number already used (an SA taken over from another implementation
                          goes on from there); the -hi halves are the upper 32 bits, with flag esn
                   FLAG-LIST := [ FLAG-LIST ] { esn | af-unspec }
                   SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
                   UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
                                     { icmp | ipv6-icmp } [ type NUMBER ] [ code NUMBER ] |
                                     gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
                   LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT
                   LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |
                            { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT
                   ENCAP := espinudp SPORT DPORT OADDR
                   DIR := in | out
                   SIZE := 0-4096 packets (flag esn needs one)
                   SPI, REQID, MARK, MASK, IF_ID := a 32-bit number, decimal or hex after 0x

            Commands:
              add        add an SA; refused if one with the same dst and spi exists. SPIs 0-255 are reserved
              update     change an SA (not its algorithms or keys), or complete one reserved by allocspi
              allocspi   reserve a free SPI between min and max (0x100-0x0fffffff) and print the SA that holds it
              delete     delete an SA and wipe its keys; get prints it
              deleteall  delete the SAs the filters select; list prints them (nokeys hides the keys)
              flush      delete every SA
              count      print the number of SAs

            The output is Linux's, keys included. -s adds the numbers in parentheses, the lifetime
            (limits, bytes and packets, when added and first used) and the stats line (packets dropped
            outside the replay window, as replays, and for integrity failures); -s -s adds Netfence's
            other drop reasons and where the SA runs (software or the offload device); -j prints JSON.

            Netfence implements ESP only: proto ah, comp, route2 and hao are refused, and so are the Linux
            features it has no counterpart for: modes beet, ro and in_trigger, flags other than esn and
            af-unspec, encap espinudp-nonike and espintcp, and seq, coa, ctx,
            extra-flag, output-mark, tfcpad, cpu. "auth hmac(sha256) KEY" is refused: Linux truncates
            it to 96 bits, RFC 4868 needs auth-trunc 'hmac(sha256)' KEY 128. So is encryption without
            authentication.

            Examples:
              ip xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128
              ip xfrm state add src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x200 reqid 1 mode tunnel replay-window 128 flag esn enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)' 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128
              ip xfrm state allocspi src 192.168.2.1 dst 192.168.1.1 proto esp reqid 2 mode tunnel
              ip xfrm state get src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100
              ip -s xfrm state list reqid 1 nokeys
              ip xfrm state delete src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100""";

    static final String XFRM_POLICY = """
            Usage: ip xfrm policy { add | update } SELECTOR dir DIR [ mark MARK [ mask MASK ] ]
                           [ index INDEX ] [ ptype main ] [ action ACTION ] [ priority PRIORITY ]
                           [ if_id IF_ID ] [ LIMIT-LIST ] [ offload packet dev DEV ] [ TMPL-LIST ]
                   ip xfrm policy { delete | get } { SELECTOR | index INDEX } dir DIR
                           [ mark MARK [ mask MASK ] ] [ ptype main ] [ if_id IF_ID ]
                   ip [ -4 | -6 ] xfrm policy { deleteall | list } [ nosock ] [ SELECTOR ] [ dir DIR ]
                           [ index INDEX ] [ ptype main ] [ action ACTION ] [ priority PRIORITY ]
                   ip xfrm policy flush [ ptype main ]
                   ip xfrm policy count
            where  SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
                   UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
                                     { icmp | ipv6-icmp } [ type NUMBER ] [ code NUMBER ] |
                                     gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
                   DIR := in | out | fwd
                   ACTION := allow | block
                   LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT   (LIMIT as in ip xfrm state help)
                   TMPL-LIST := [ TMPL-LIST ] tmpl TMPL
                   TMPL := src ADDR dst ADDR proto esp [ spi SPI ] [ mode MODE ] [ reqid REQID ] [ level LEVEL ]
                   MODE := transport | tunnel
                   LEVEL := required | use
                   INDEX, PRIORITY, MARK, MASK, IF_ID, SPI, REQID := a 32-bit number, decimal or hex after 0x

            Commands:
              add        add a policy; refused if one with the same dir, SELECTOR, mark and if_id exists.
                         Without index, one is assigned (8 * n + dir, as on Linux)
              update     add a policy, or replace the one with the same dir, SELECTOR, mark and if_id
              delete     delete the policy named by its SELECTOR (with its mark and if_id) or its index;
                         get prints it
              deleteall  delete the policies the filters select; list prints them
              flush      delete every policy
              count      print the number of policies per direction

            Traffic a policy matches (its SELECTOR, in its dir) goes through the SAs its templates
            name (an SA to dst with that reqid, or that spi), is dropped (action block), or passes in
            clear (action allow without tmpl). Lower priority values win. With level use, traffic
            passes in clear while no SA exists. Without SELECTOR a policy matches all IPv4 traffic
            (IPv6 with -6). The output is Linux's; -s adds the action, the index, the lifetime and
            the templates' details; -j prints JSON.

            Netfence has no socket policies, sub policies (ptype sub), security contexts (ctx) or
            policy flags (flag localok, icmp): they are refused, and so are set, setdefault and
            getdefault.

            Examples:
              ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out tmpl src 192.168.1.1 dst 192.168.2.1 proto esp reqid 1 mode tunnel
              ip xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd tmpl src 192.168.2.1 dst 192.168.1.1 proto esp reqid 1 mode tunnel
              ip xfrm policy add src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 dir out action block priority 10
              ip xfrm policy delete src 10.1.0.0/16 dst 10.2.0.0/16 dir out
              ip -s xfrm policy list dir out""";

    static final String XFRM_MONITOR = """
            Usage: ip xfrm monitor [ nokeys ] [ all | OBJECTS ]
            where  OBJECTS := [ OBJECTS ] { acquire | expire | SA | policy | aevent | report }

            Prints the events of the SAD and SPD as they happen, until Ctrl-C. An SA or a policy that
            was added is printed as ip xfrm state or ip xfrm policy print it; "Updated ", "Deleted "
            and "Expired " come before the others, and an expiry ends with "hard 1" (the SA or policy
            is gone) or "hard 0" (a soft limit: time to rekey). Flushes print "Flushed state proto 0"
            and "Flushed policy ptype main". acquire: a packet matched a policy whose SA does not
            exist (the packet's selector, then the policy). Without OBJECTS every event is printed;
            nokeys hides the keys; -j prints one JSON object per event. Netfence sends no aevent
            and report events.

            Examples:
              ip xfrm monitor
              ip xfrm monitor acquire expire
              ip -j xfrm monitor SA nokeys""";

    /** The help of {@code ip xfrm [OBJECT] ... help}, found without the xfrm classes (the service may be absent). */
    static String xfrm(List<String> words) {
        String object = words.isEmpty() ? null : Args.match(words.getFirst(), List.of("state", "sa", "policy", "monitor"));
        if (object == null) {
            return XFRM;
        }
        return switch (object) {
            case "state", "sa" -> XFRM_STATE;
            case "policy" -> XFRM_POLICY;
            default -> XFRM_MONITOR;
        };
    }
}
