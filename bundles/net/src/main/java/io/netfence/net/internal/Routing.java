package io.netfence.net.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteLookup;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The routes of both families: validation, the control-plane tables ({@link RouteTable}), the
 * shared next hops ({@link NexthopRegistry}) and the FIBs the packet path reads. Only used under
 * the control-plane lock. Every change is made in the order the packet path needs: a next hop is
 * published before a FIB entry names it, and a FIB entry is rewritten before its old next hop is
 * released (see {@link Dataplane}).
 */
final class Routing {
    static final String KERNEL = "kernel";
    static final String STATIC = "static";
    private static final RouteType[] TYPES = RouteType.values();

    /** What routing needs to know about links. */
    interface Links {
        /** The ifindex of a link, or -1. */
        int indexOf(String name);

        /** The name of a link, or null. */
        String nameOf(int index);

        /** True if the address is assigned to any link. */
        boolean isLocalAddress(IpAddress address);

        /** A source address for packets sent out {@code index} towards {@code peer}, or null. */
        IpAddress sourceFor(int index, IpAddress peer);
    }

    /** A validated route, ready to be installed. {@code port} is 0 for types without a device. */
    record Entry(IpPrefix prefix, int type, boolean local, int metric, int port, boolean hasGateway, long gatewayHi,
                 long gatewayLo, String protocol, IpAddress preferredSource) {
        long hi() {
            return prefix.address().hi();
        }

        long lo() {
            return prefix.address().lo();
        }
    }

    private final Dataplane dataplane;
    private final Links links;
    private final NexthopRegistry nexthops = new NexthopRegistry();
    private final RouteTable v4 = new RouteTable(4);
    private final RouteTable v6 = new RouteTable(6);

    Routing(Dataplane dataplane, Links links) {
        this.dataplane = dataplane;
        this.links = links;
    }

    RouteTable table(int family) {
        return family == 4 ? v4 : v6;
    }

    /** True (once) when next-hop ids were freed: the caller must publish a new generation. */
    boolean takeFreed() {
        return nexthops.takeFreed();
    }

    // --- validation ------------------------------------------------------------------------------

    /** Checks a route request against the current links and routes; throws naming the bad field. */
    Entry resolve(Route r) {
        if (r == null || r.prefix() == null) {
            throw new NetException("route: a destination prefix is required");
        }
        RouteType type = r.type() == null ? RouteType.UNICAST : r.type();
        IpPrefix prefix = r.prefix().network();
        int family = prefix.version();
        IpAddress gw = r.gateway();
        if (gw != null && gw.version() != family) {
            throw new NetException("via \"" + gw + "\": the gateway must be an IPv" + family + " address like the destination "
                    + prefix);
        }
        if (r.metric() < 0) {
            throw new NetException("metric \"" + r.metric() + "\": expected 0-" + Integer.MAX_VALUE);
        }
        int port = 0;
        if (r.device() != null) {
            port = links.indexOf(r.device());
            if (port < 0) {
                throw new NetException("Cannot find device \"" + r.device() + "\"");
            }
        }
        boolean hasGateway = false;
        switch (type) {
            case UNICAST -> {
                if (gw != null) {
                    checkGateway(gw);
                    if (gw.isLinkLocal() && family == 6) {
                        if (port == 0) {
                            throw new NetException("via \"" + gw + "\": a link-local gateway needs \"dev NAME\"");
                        }
                    } else {
                        int onLink = onLinkPort(family, gw, port);
                        if (onLink < 0) {
                            throw new NetException("via \"" + gw + "\": Nexthop has invalid gateway (no connected route"
                                    + (port == 0 ? "" : " on " + r.device()) + " reaches it)");
                        }
                        port = onLink;
                    }
                    hasGateway = true;
                } else if (port == 0) {
                    throw new NetException("route " + prefix + ": needs \"via ADDRESS\" or \"dev NAME\"");
                }
            }
            case LOCAL -> {
                if (gw != null) {
                    throw new NetException("via \"" + gw + "\": a local route has no gateway");
                }
                if (port == 0) {
                    port = links.indexOf("lo");
                }
            }
            default -> {
                if (gw != null) {
                    throw new NetException("via \"" + gw + "\": a " + type.label() + " route has no gateway");
                }
                port = 0;
            }
        }
        IpAddress src = r.preferredSource();
        if (src != null) {
            if (src.version() != family) {
                throw new NetException("src \"" + src + "\": expected an IPv" + family + " address");
            }
            if (!links.isLocalAddress(src)) {
                throw new NetException("src \"" + src + "\": Invalid prefsrc address (it is not assigned to any link)");
            }
        }
        String protocol = r.protocol() == null || r.protocol().isBlank() ? STATIC : r.protocol();
        return new Entry(prefix, type.ordinal(), type == RouteType.LOCAL, r.metric(), port, hasGateway,
                hasGateway ? gw.hi() : 0, hasGateway ? gw.lo() : 0, protocol, src);
    }

    private static void checkGateway(IpAddress gw) {
        if (!Addresses.isUnicastHost(gw)) {
            throw new NetException("via \"" + gw + "\": expected a unicast address");
        }
    }

    /**
     * The port of the most specific connected route (unicast, no gateway) that contains the
     * address, restricted to {@code port} when it is not 0; -1 if none.
     */
    private int onLinkPort(int family, IpAddress address, int port) {
        RouteTable t = table(family);
        int max = family == 4 ? 32 : 128;
        for (int len = max; len >= 0; len--) {
            IpAddress net = address.mask(len);
            for (int id = t.head(net.hi(), net.lo(), len); id != RouteTable.NONE; id = t.next(id)) {
                int nh = t.nexthop(id);
                if (t.type(id) == RouteType.UNICAST.ordinal() && !nexthops.hasGateway(nh)
                        && (port == 0 || nexthops.port(nh) == port)) {
                    return nexthops.port(nh);
                }
            }
        }
        return -1;
    }

    // --- lookups -------------------------------------------------------------------------------

    /** The route with exactly this prefix, table and metric, or NONE. */
    int find(Entry e) {
        RouteTable t = table(e.prefix().version());
        for (int id = t.head(e.hi(), e.lo(), e.prefix().length()); id != RouteTable.NONE; id = t.next(id)) {
            if (t.local(id) == e.local() && t.metric(id) == e.metric()) {
                return id;
            }
        }
        return RouteTable.NONE;
    }

    /**
     * The route {@code ip route del PREFIX [metric N]} removes: the first of the prefix's chain
     * with that metric (any metric when negative), from the main table before the local one.
     */
    int findForDelete(IpPrefix prefix, int metric) {
        IpPrefix p = prefix.network();
        RouteTable t = table(p.version());
        int local = RouteTable.NONE;
        for (int id = t.head(p.address().hi(), p.address().lo(), p.length()); id != RouteTable.NONE; id = t.next(id)) {
            if (metric >= 0 && t.metric(id) != metric) {
                continue;
            }
            if (!t.local(id)) {
                return id;
            }
            if (local == RouteTable.NONE) {
                local = id;
            }
        }
        return local;
    }

    // --- changes -------------------------------------------------------------------------------

    /** Installs a validated route that does not exist yet. */
    void add(Entry e) {
        RouteTable t = table(e.prefix().version());
        int nh = acquire(e);
        t.add(e.hi(), e.lo(), e.prefix().length(), e.type(), e.local(), e.metric(), nh, t.protocolId(e.protocol()),
                e.preferredSource());
        syncFib(t, e.hi(), e.lo(), e.prefix().length());
    }

    /** Points an existing route at the validated entry's next hop (it keeps its place). */
    void change(int id, Entry e, long generation) {
        RouteTable t = table(e.prefix().version());
        int old = t.nexthop(id);
        int nh = acquire(e);
        t.setNexthop(id, nh, e.type(), t.protocolId(e.protocol()), e.preferredSource());
        syncFib(t, e.hi(), e.lo(), e.prefix().length());
        nexthops.release(old, generation);
    }

    void remove(int family, int id, long generation) {
        RouteTable t = table(family);
        long h = t.hi(id);
        long l = t.lo(id);
        int len = t.length(id);
        int nh = t.nexthop(id);
        t.remove(id);
        syncFib(t, h, l, len);
        nexthops.release(nh, generation);
    }

    /** Removes every route of a family (0: both) that the predicate selects; returns how many. */
    int removeIf(int family, RoutePredicate which, long generation) {
        int removed = 0;
        for (int f : family == 0 ? new int[] {4, 6} : new int[] {family}) {
            RouteTable t = table(f);
            List<Integer> gone = new ArrayList<>();
            for (int id = 0; id < t.end(); id++) {
                if (t.live(id) && which.test(t, id, t.nexthop(id))) {
                    gone.add(id);
                }
            }
            for (int id : gone) {
                remove(f, id, generation);
            }
            removed += gone.size();
        }
        return removed;
    }

    /** Selects routes for {@link #removeIf}. */
    interface RoutePredicate {
        boolean test(RouteTable table, int id, int nexthop);
    }

    /** Routes that send out of or deliver to a port (what goes when the link goes). */
    RoutePredicate viaPort(int port) {
        return (t, id, nh) -> t.type(id) <= RouteType.LOCAL.ordinal() && nexthops.port(nh) == port;
    }

    /** The kernel routes an address brought: its local route and its connected route. */
    RoutePredicate kernelRoutesOf(int port, IpPrefix address) {
        IpAddress a = address.address();
        IpPrefix net = address.network();
        return (t, id, nh) -> {
            if (!KERNEL.equals(t.protocol(id)) || nexthops.port(nh) != port) {
                return false;
            }
            boolean isLocal = t.local(id) && t.length(id) == a.bitLength() && t.lo(id) == a.lo() && t.hi(id) == a.hi();
            boolean isConnected = !nexthops.hasGateway(nh)
                    && t.length(id) == net.length() && t.lo(id) == net.address().lo() && t.hi(id) == net.address().hi();
            return isLocal || isConnected;
        };
    }

    /** Routes that name a source address (Linux removes them with the address). */
    RoutePredicate withSource(IpAddress source) {
        return (t, id, nh) -> source.equals(t.preferredSource(id));
    }

    RoutePredicate notKernel() {
        return (t, id, nh) -> !KERNEL.equals(t.protocol(id));
    }

    private int acquire(Entry e) {
        int id = nexthops.acquire(e.type(), e.port(), e.hasGateway(), e.gatewayHi(), e.gatewayLo(),
                dataplane.quiescentBelow());
        // Published before any FIB entry can name the id (the packet path reads nexthops after the FIB).
        dataplane.nexthops = nexthops.snapshot();
        return id;
    }

    /** Makes the FIB hold the head of the prefix's chain, or nothing. */
    private void syncFib(RouteTable t, long h, long l, int len) {
        int head = t.head(h, l, len);
        if (t.family == 4) {
            if (head == RouteTable.NONE) {
                dataplane.fib4.remove((int) l, len);
            } else {
                dataplane.fib4.add((int) l, len, t.nexthop(head));
            }
        } else if (head == RouteTable.NONE) {
            dataplane.fib6.remove(h, l, len);
        } else {
            dataplane.fib6.add(h, l, len, t.nexthop(head));
        }
    }

    // --- queries -------------------------------------------------------------------------------

    int size(int family) {
        return family == 0 ? v4.size() + v6.size() : table(family).size();
    }

    /** Routes of a family (0: both), by prefix (address, then length), each prefix's chain in order. */
    List<Route> list(int family) {
        List<Route> out = new ArrayList<>(size(family));
        for (int f : family == 0 ? new int[] {4, 6} : new int[] {family}) {
            RouteTable t = table(f);
            for (int head : sortedHeads(t)) {
                for (int id = head; id != RouteTable.NONE; id = t.next(id)) {
                    out.add(toRoute(t, id));
                }
            }
        }
        return out;
    }

    /** Chain heads sorted by prefix; for IPv4 with primitive keys, so a million routes sort quickly. */
    private static int[] sortedHeads(RouteTable t) {
        int n = 0;
        int[] heads = new int[Math.max(16, t.size())];
        for (int id = 0; id < t.end(); id++) {
            if (t.live(id) && t.head(t.hi(id), t.lo(id), t.length(id)) == id) {
                heads[n++] = id;
            }
        }
        if (t.family == 4) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                int id = heads[i];
                // address (32 bits) | length (6 bits) | id (26 bits): ids stay below 2^24, the FIB's next-hop limit.
                // The sign bit is flipped so that signed order is the addresses' unsigned order.
                keys[i] = ((t.lo(id) << 32) | ((long) t.length(id) << 26) | id) ^ Long.MIN_VALUE;
            }
            Arrays.sort(keys);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = (int) (keys[i] & 0x3FF_FFFF);
            }
            return out;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = heads[i];
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Long.compareUnsigned(t.hi(a), t.hi(b));
            if (c == 0) {
                c = Long.compareUnsigned(t.lo(a), t.lo(b));
            }
            return c != 0 ? c : Integer.compare(t.length(a), t.length(b));
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    Route toRoute(RouteTable t, int id) {
        int nh = t.nexthop(id);
        IpAddress address = t.family == 4 ? IpAddress.v4((int) t.lo(id)) : IpAddress.v6(t.hi(id), t.lo(id));
        RouteType type = TYPES[t.type(id)];
        IpAddress gw = nexthops.hasGateway(nh) ? gateway(t.family, nh) : null;
        String device = type == RouteType.UNICAST || type == RouteType.LOCAL ? links.nameOf(nexthops.port(nh)) : null;
        return new Route(type, new IpPrefix(address, t.length(id)), gw, device, t.metric(id), t.preferredSource(id),
                t.protocol(id));
    }

    private IpAddress gateway(int family, int nh) {
        return family == 4 ? IpAddress.v4((int) nexthops.gatewayLo(nh)) : IpAddress.v6(nexthops.gatewayHi(nh), nexthops.gatewayLo(nh));
    }

    /** {@code ip route get}: the route the packet path would take, with device, next hop and source. */
    RouteLookup lookup(IpAddress destination) {
        RouteTable t = table(destination.version());
        int id = t.longestMatch(destination.hi(), destination.lo());
        if (id == RouteTable.NONE) {
            return new RouteLookup(destination, null, null, null, null);
        }
        Route r = toRoute(t, id);
        int nh = t.nexthop(id);
        return switch (r.type()) {
            case LOCAL -> new RouteLookup(destination, r, r.device(), null, destination);
            case UNICAST -> {
                IpAddress next = r.gateway() != null ? r.gateway() : destination;
                IpAddress src = r.preferredSource() != null ? r.preferredSource() : links.sourceFor(nexthops.port(nh), next);
                yield new RouteLookup(destination, r, r.device(), next, src);
            }
            default -> new RouteLookup(destination, r, null, null, null);
        };
    }

    /** Prefixes (as text) present more than once in a batch: a batch must not fight itself. */
    static Set<String> duplicates(List<Entry> entries) {
        Set<String> seen = new HashSet<>();
        Set<String> dup = new HashSet<>();
        for (Entry e : entries) {
            String k = e.prefix() + (e.local() ? " local" : "") + " metric " + e.metric();
            if (!seen.add(k)) {
                dup.add(k);
            }
        }
        return dup;
    }
}
