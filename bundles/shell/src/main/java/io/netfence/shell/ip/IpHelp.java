package io.netfence.shell.ip;

/** Usage texts of {@code ip} in the style of iproute2's man pages: grammar, one line per command, examples. */
final class IpHelp {
    private IpHelp() {
    }

    static final String IP = """
            Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
                   ip [ -force ] -batch FILENAME
            where  OBJECT := { link | address | route | neigh }
                   OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] | -o[neline] |
                                -4 | -6 | -f[amily] { inet | inet6 } | -b[atch] FILENAME | -force | -h[elp] }

            Configure the Netfence dataplane the way iproute2 configures Linux. Objects and commands
            may be abbreviated as in iproute2 (l, a, r, n; add, del, sh, ...).

            Objects:
              link       network devices: create, delete, bring up/down, set MTU and MAC, list with counters
              address    IPv4/IPv6 addresses of devices (each also installs its connected and local route)
              route      the routing table: table main (operator and connected routes), table local
              neigh      the neighbour (ARP/NDP) cache: static entries, learned entries

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
}
