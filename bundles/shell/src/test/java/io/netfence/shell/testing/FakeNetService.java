package io.netfence.shell.testing;

import io.netfence.net.api.AddressInfo;
import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.LinkStats;
import io.netfence.net.api.NeighbourInfo;
import io.netfence.net.api.NeighbourState;
import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteLookup;
import io.netfence.net.api.RouteType;
import io.netfence.net.api.WorkerInfo;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory NetService for tests: it keeps links, addresses, routes and neighbours as the real
 * one would (addresses bring their kernel routes, deleting a link removes what hangs on it), records
 * every mutating call, can be told to refuse one, and can simulate generator traffic for bench.
 */
public final class FakeNetService implements NetService {
    /** A recorded mutating call. */
    public record Call(String method, List<Object> args) {
        @Override
        public String toString() {
            return method + args;
        }
    }

    /** Mutable state of one link; tests set counters on it directly. */
    public static final class FakeLink {
        public final int index;
        public final String name;
        public final String type;
        public int mtu;
        public MacAddress mac;
        public boolean up;
        public boolean carrier = true;
        public int rxQueues;
        public final Map<String, String> details = new TreeMap<>();
        public long rxPackets, rxBytes, rxDropped, txPackets, txBytes, txDropped;
        public final Map<String, Long> dropReasons = new TreeMap<>();

        FakeLink(int index, String name, String type) {
            this.index = index;
            this.name = name;
            this.type = type;
        }

        LinkInfo info() {
            return new LinkInfo(index, name, type, mtu, mac, up, up && carrier, rxQueues, details,
                    new LinkStats(rxPackets, rxBytes, rxDropped, txPackets, txBytes, txDropped, dropReasons));
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, FakeLink> links = new LinkedHashMap<>();
    private final List<AddressInfo> addresses = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<NeighbourInfo> neighbours = new ArrayList<>();
    private final Set<String> refused = new HashSet<>();
    private final Set<String> types = new TreeSet<>(List.of("gen", "pcap", "sink", "tap"));
    private int nextIndex = 1;
    private int workerCount = 2;
    private long[] workerPackets = new long[2];
    /** Generator simulation for bench: packets per millisecond per worker, dropped ones, lost ones. */
    private long genPacketsPerMilli;
    private long genDropsPerMilli;
    private long sinkLossPerMilli;

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<String> callNames() {
        return calls.stream().map(Call::method).toList();
    }

    public void clearCalls() {
        calls.clear();
    }

    /** The next call of {@code method} (and every later one) throws NetException. */
    public void refuse(String method) {
        refused.add(method);
    }

    public FakeLink fakeLink(String name) {
        return links.get(name);
    }

    public void setTypes(String... names) {
        types.clear();
        types.addAll(Arrays.asList(names));
    }

    /** Configuration as text, to compare before and after a command. */
    public String snapshot() {
        List<String> parts = new ArrayList<>();
        for (FakeLink l : links.values()) {
            parts.add("link " + l.index + " " + l.name + " " + l.type + " mtu " + l.mtu + " " + l.mac + " up " + l.up
                    + " q " + l.rxQueues);
        }
        addresses.forEach(a -> parts.add("addr " + a));
        routes.forEach(r -> parts.add("route " + r));
        neighbours.forEach(n -> parts.add("neigh " + n));
        parts.add("workers " + workerCount);
        return String.join("\n", parts);
    }

    private void record(String method, Object... args) {
        calls.add(new Call(method, Arrays.asList(args)));
        if (refused.contains(method)) {
            throw new NetException(method + " refused by the test");
        }
    }

    // --- links ---------------------------------------------------------------------------

    @Override
    public Set<String> linkTypes() {
        return Set.copyOf(types);
    }

    @Override
    public String linkTypeUsage(String type) {
        if (!types.contains(type)) {
            throw new NetException("link type \"" + type + "\" is unknown: expected one of " + types);
        }
        return switch (type) {
            case "pcap" -> "rx FILE tx FILE [loop COUNT]";
            case "gen" -> "dst ADDRESS [src ADDRESS] [flows N] [size BYTES] [pps RATE] [count N]";
            default -> "";
        };
    }

    @Override
    public LinkInfo addLink(LinkSpec spec) {
        record("addLink", spec);
        if (links.containsKey(spec.name())) {
            throw new NetException("Device \"" + spec.name() + "\" exists.");
        }
        if (!types.contains(spec.type())) {
            throw new NetException("link type \"" + spec.type() + "\" is unknown");
        }
        if (spec.mtu() != 0 && (spec.mtu() < 68 || spec.mtu() > 9000)) {
            throw new NetException("mtu \"" + spec.mtu() + "\": expected 68-9000");
        }
        if (spec.driverArgs().size() % 2 != 0) {
            throw new NetException("argument \"" + spec.driverArgs().getLast() + "\" needs a value");
        }
        FakeLink l = new FakeLink(nextIndex++, spec.name(), spec.type());
        l.mtu = spec.mtu() == 0 ? 1500 : spec.mtu();
        l.mac = spec.mac() != null ? spec.mac() : new MacAddress(0x0200_0000_0000L | l.index);
        l.rxQueues = spec.rxQueues() == 0 ? 1 : spec.rxQueues();
        for (int i = 0; i < spec.driverArgs().size(); i += 2) {
            l.details.put(spec.driverArgs().get(i), spec.driverArgs().get(i + 1));
        }
        links.put(l.name, l);
        return l.info();
    }

    @Override
    public void deleteLink(String name) {
        record("deleteLink", name);
        FakeLink l = existing(name);
        links.remove(name);
        addresses.removeIf(a -> a.linkIndex() == l.index);
        routes.removeIf(r -> name.equals(r.device()));
        neighbours.removeIf(n -> n.device().equals(name));
    }

    @Override
    public void setLink(String name, LinkChange change) {
        record("setLink", name, change);
        FakeLink l = existing(name);
        if (change.mtu() != null && (change.mtu() < 68 || change.mtu() > 9000)) {
            throw new NetException("mtu \"" + change.mtu() + "\": expected 68-9000");
        }
        if (change.up() != null) {
            l.up = change.up();
        }
        if (change.mtu() != null) {
            l.mtu = change.mtu();
        }
        if (change.mac() != null) {
            l.mac = change.mac();
        }
    }

    @Override
    public List<LinkInfo> links() {
        return links.values().stream().map(FakeLink::info).toList();
    }

    @Override
    public LinkInfo link(String name) {
        return existing(name).info();
    }

    private FakeLink existing(String name) {
        FakeLink l = links.get(name);
        if (l == null) {
            throw new NetException("Device \"" + name + "\" does not exist.");
        }
        return l;
    }

    // --- addresses -------------------------------------------------------------------------

    @Override
    public void addAddress(String device, IpPrefix prefix) {
        record("addAddress", device, prefix);
        FakeLink l = existing(device);
        for (AddressInfo a : addresses) {
            if (a.linkIndex() == l.index && a.prefix().address().equals(prefix.address())) {
                throw new NetException("address " + prefix + " exists on " + device);
            }
        }
        addresses.add(new AddressInfo(l.index, device, prefix, prefix.address().isLinkLocal() ? "link" : "global"));
        IpAddress a = prefix.address();
        routes.add(new Route(RouteType.LOCAL, new IpPrefix(a, a.bitLength()), null, device, 0, a, "kernel"));
        if (prefix.length() < a.bitLength()) {
            routes.add(new Route(RouteType.UNICAST, prefix, null, device, 0, a, "kernel"));
        }
    }

    @Override
    public void deleteAddress(String device, IpPrefix prefix) {
        record("deleteAddress", device, prefix);
        FakeLink l = existing(device);
        if (!addresses.removeIf(a -> a.linkIndex() == l.index && a.prefix().equals(prefix))) {
            throw new NetException("address " + prefix + " is not on " + device);
        }
        removeKernelRoutes(device, prefix);
    }

    private void removeKernelRoutes(String device, IpPrefix prefix) {
        routes.removeIf(r -> "kernel".equals(r.protocol()) && device.equals(r.device())
                && prefix.address().equals(r.preferredSource()));
    }

    @Override
    public void flushAddresses(String device, int family) {
        record("flushAddresses", device, family);
        List<AddressInfo> gone = addresses.stream()
                .filter(a -> (device == null || a.linkName().equals(device)) && (family == 0 || a.prefix().version() == family))
                .toList();
        addresses.removeAll(gone);
        gone.forEach(a -> removeKernelRoutes(a.linkName(), a.prefix()));
    }

    @Override
    public List<AddressInfo> addresses() {
        return List.copyOf(addresses);
    }

    // --- routes --------------------------------------------------------------------------

    @Override
    public void addRoute(Route route) {
        record("addRoute", route);
        checkRoute(route);
        for (Route r : routes) {
            if (r.prefix().equals(route.prefix()) && r.metric() == route.metric()
                    && (r.type() == RouteType.LOCAL) == (route.type() == RouteType.LOCAL)) {
                throw new NetException("route " + route.prefix() + " metric " + route.metric() + " exists");
            }
        }
        routes.add(route);
    }

    private void checkRoute(Route route) {
        if (route.device() != null) {
            existing(route.device());
        }
    }

    @Override
    public void replaceRoute(Route route) {
        record("replaceRoute", route);
        checkRoute(route);
        routes.removeIf(r -> r.prefix().equals(route.prefix()) && r.metric() == route.metric() && r.type() != RouteType.LOCAL);
        routes.add(route);
    }

    @Override
    public void deleteRoute(IpPrefix prefix, int metric) {
        record("deleteRoute", prefix, metric);
        IpPrefix p = prefix.network();
        for (Route r : routes) {
            if (r.prefix().equals(p) && (metric < 0 || r.metric() == metric)) {
                routes.remove(r);
                return;
            }
        }
        throw new NetException("no route " + prefix);
    }

    @Override
    public void addRoutes(List<Route> list) {
        record("addRoutes", list);
        routes.addAll(list);
    }

    @Override
    public void flushRoutes(int family) {
        record("flushRoutes", family);
        routes.removeIf(r -> "static".equals(r.protocol()) && (family == 0 || r.prefix().version() == family));
    }

    @Override
    public List<Route> routes(int family) {
        return routes.stream()
                .filter(r -> family == 0 || r.prefix().version() == family)
                .sorted(Comparator.comparing((Route r) -> r.prefix().address()).thenComparingInt(r -> r.prefix().length()))
                .toList();
    }

    @Override
    public int routeCount(int family) {
        return routes(family).size();
    }

    @Override
    public RouteLookup routeGet(IpAddress destination) {
        Route best = null;
        for (Route r : routes) {
            if (r.prefix().contains(destination) && (best == null || r.prefix().length() > best.prefix().length())) {
                best = r;
            }
        }
        if (best == null) {
            return new RouteLookup(destination, null, null, null, null);
        }
        String device = best.device();
        IpAddress nextHop = best.gateway() != null ? best.gateway() : destination;
        if (device == null && best.gateway() != null) {
            for (Route r : routes) {
                if (r.type() == RouteType.UNICAST && r.gateway() == null && r.prefix().contains(best.gateway())) {
                    device = r.device();
                }
            }
        }
        IpAddress source = best.preferredSource();
        for (AddressInfo a : addresses) {
            if (source == null && a.linkName().equals(device) && a.prefix().version() == destination.version()) {
                source = a.prefix().address();
            }
        }
        return new RouteLookup(destination, best, device, best.type() == RouteType.UNICAST ? nextHop : null, source);
    }

    // --- neighbours ----------------------------------------------------------------------

    @Override
    public void addNeighbour(String device, IpAddress address, MacAddress mac) {
        record("addNeighbour", device, address, mac);
        existing(device);
        neighbours.removeIf(n -> n.device().equals(device) && n.address().equals(address));
        neighbours.add(new NeighbourInfo(address, device, mac, NeighbourState.PERMANENT, 0, 0));
    }

    /** A learned entry, as the dataplane would make. */
    public void learnNeighbour(String device, IpAddress address, MacAddress mac, NeighbourState state) {
        neighbours.add(new NeighbourInfo(address, device, mac, state, 1500, 0));
    }

    @Override
    public void deleteNeighbour(String device, IpAddress address) {
        record("deleteNeighbour", device, address);
        if (!neighbours.removeIf(n -> n.device().equals(device) && n.address().equals(address))) {
            throw new NetException("no neighbour " + address + " on " + device);
        }
    }

    @Override
    public void flushNeighbours(String device) {
        record("flushNeighbours", device);
        neighbours.removeIf(n -> (device == null || n.device().equals(device)) && n.state() != NeighbourState.PERMANENT);
    }

    @Override
    public List<NeighbourInfo> neighbours() {
        return List.copyOf(neighbours);
    }

    // --- workers ---------------------------------------------------------------------------

    @Override
    public int workerCount() {
        return workerCount;
    }

    @Override
    public void setWorkerCount(int workers) {
        record("setWorkerCount", workers);
        if (workers < 1 || workers > 64) {
            throw new NetException("workers \"" + workers + "\": expected 1-64");
        }
        workerCount = workers;
        workerPackets = Arrays.copyOf(workerPackets, workers);
    }

    @Override
    public List<WorkerInfo> workers() {
        List<WorkerInfo> list = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            list.add(new WorkerInfo(i, List.of(), workerPackets[i] / 32, workerPackets[i], 0));
        }
        return list;
    }

    @Override
    public void clearCounters() {
        record("clearCounters");
        Arrays.fill(workerPackets, 0);
        for (FakeLink l : links.values()) {
            l.rxPackets = l.rxBytes = l.rxDropped = l.txPackets = l.txBytes = l.txDropped = 0;
            l.dropReasons.clear();
        }
    }

    // --- traffic simulation for bench ---------------------------------------------------------

    /** While a gen link is up, each simulated millisecond brings this many packets per worker. */
    public void simulateGenerator(long packetsPerMilliPerWorker, long dropsPerMilli, long sinkLossPerMilli) {
        this.genPacketsPerMilli = packetsPerMilliPerWorker;
        this.genDropsPerMilli = dropsPerMilli;
        this.sinkLossPerMilli = sinkLossPerMilli;
    }

    /** Advances the simulated dataplane by {@code millis}: generated packets flow from gen to sink. */
    public void tick(long millis) {
        FakeLink gen = links.values().stream().filter(l -> l.type.equals("gen") && l.up).findFirst().orElse(null);
        FakeLink sink = links.values().stream().filter(l -> l.type.equals("sink")).findFirst().orElse(null);
        if (gen == null || sink == null) {
            return;
        }
        long total = 0;
        for (int w = 0; w < workerCount; w++) {
            long n = genPacketsPerMilli * millis * (w + 1);
            workerPackets[w] += n;
            total += n;
        }
        long dropped = genDropsPerMilli * millis;
        gen.rxPackets += total;
        gen.rxBytes += total * 64;
        gen.rxDropped += dropped;
        if (dropped > 0) {
            gen.dropReasons.merge("bad_ipv4_csum", dropped, Long::sum);
        }
        long forwarded = total - dropped - sinkLossPerMilli * millis;
        sink.txPackets += forwarded;
        sink.txBytes += forwarded * 64;
    }
}
