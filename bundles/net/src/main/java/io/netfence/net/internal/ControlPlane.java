package io.netfence.net.internal;

import io.netfence.net.api.AddressInfo;
import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.LinkStats;
import io.netfence.net.api.NeighbourInfo;
import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteLookup;
import io.netfence.net.api.RouteType;
import io.netfence.net.api.WorkerInfo;
import io.netfence.net.spi.Hook;
import io.netfence.net.spi.PacketStage;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.DropReason;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The dataplane's control plane: links and their drivers, addresses, routes, neighbours, packet
 * stages and worker threads. Every public method takes one lock, validates the whole request,
 * then changes the model and publishes a new {@link DataplaneConfig} (see {@link Dataplane} for
 * how workers see it without locks). Plain Java: {@link NetComponent} wires it into OSGi, tests
 * drive it directly.
 */
public class ControlPlane implements NetService {
    static final int MIN_MTU = 68;
    /**
     * Jumbo frames of 9000 bytes, plus room for what IPsec adds to them (ESP in UDP over IPv6 with
     * a CBC block and a 32-byte ICV is under 100 bytes), so a 9000-byte packet can cross a tunnel.
     */
    static final int MAX_MTU = 9100;
    static final int LOOPBACK_MTU = 65536;
    static final int MAX_RX_QUEUES = 1024;
    static final int MAX_WORKERS = 64;
    static final String LOOPBACK = "lo";
    static final String LOOPBACK_TYPE = "loopback";
    private static final int MAX_NAME = 15;
    private static final long JOIN_MILLIS = 2000;

    /** A link as the control plane keeps it. Changed only under the lock. */
    private static final class Link {
        final int index;
        final String name;
        final String type;
        final List<String> args;
        final int rxQueues;
        int mtu;
        MacAddress mac;
        boolean adminUp;
        /** Null while the driver is absent or failed to open the device (see {@link #detached}). */
        PortDevice device;
        String detached;
        /**
         * Restored up, but kept down (its device configured down) until every restored link has its
         * device: a generator or a pcap replay would otherwise send before its egress link exists.
         */
        boolean held;
        /** Assigned addresses in the order they were added; the EUI-64 link-local one first. */
        final List<IpPrefix> addresses = new ArrayList<>();
        IpPrefix autoLinkLocal;

        Link(int index, String name, String type, List<String> args, int rxQueues, int mtu, MacAddress mac) {
            this.index = index;
            this.name = name;
            this.type = type;
            this.args = List.copyOf(args);
            this.rxQueues = rxQueues;
            this.mtu = mtu;
            this.mac = mac;
        }

        boolean loopback() {
            return LOOPBACK_TYPE.equals(type);
        }

        boolean operUp() {
            return adminUp && device != null && !held;
        }
    }

    private record StageEntry(PacketStage stage, Hook hook, int order, long seq) {
    }

    private final Logger log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Dataplane dataplane;
    private final LinkDirectory directory;
    private final Routing routing;
    private final SecureRandom random = new SecureRandom();

    private final Map<String, Link> links = new LinkedHashMap<>();
    private final TreeMap<Integer, Link> byIndex = new TreeMap<>();
    private int nextIndex = 1;
    /** Drivers by link type; the first registered of a type is used, others wait. */
    private final Map<String, List<PortDriver>> drivers = new TreeMap<>();
    private final List<StageEntry> stages = new ArrayList<>();
    private final List<io.netfence.net.spi.LinkListener> linkListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long stageSeq;

    private long generation;
    private int workerCount;
    private Worker[] workers = new Worker[0];
    private Housekeeper housekeeper;
    private boolean running;
    /** Per worker id, the stripe its next incarnation uses; every stripe ever used is in {@link #stripes}. */
    private final List<CounterStripe> workerStripes = new ArrayList<>();
    private final List<CounterStripe> stripes = new ArrayList<>();
    /** Counts what the control plane itself drops (packets waiting for a neighbour that was deleted). */
    private final CounterStripe controlStripe = new CounterStripe();
    private final int[] poolScratch;
    /** {@link #clearCounters} baselines: per ifindex the summed stripe counters, and rx errors. */
    private final Map<Integer, long[]> portBaseline = new HashMap<>();
    private final Map<Integer, Long> rxErrorBaseline = new HashMap<>();
    private final Map<Integer, long[]> workerBaseline = new HashMap<>();
    /** Null when the configuration is not persisted (tests, no data folder). */
    private volatile ConfigStore store;
    /** The worker count was set by the operator (and is saved), not taken from the defaults. */
    private boolean workersSet;
    /** How long restored links wait, at most, for the drivers of the other restored links. */
    long restoreHoldMillis = 10_000;

    public ControlPlane(int workers, Logger log) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new NetException("workers \"" + workers + "\": expected 1-" + MAX_WORKERS);
        }
        this.log = log;
        this.workerCount = workers;
        this.dataplane = new Dataplane(log);
        this.directory = new LinkDirectory();
        this.routing = new Routing(dataplane, directory);
        this.poolScratch = new int[dataplane.neighbours.poolSize()];
        CounterStripe hk = new CounterStripe();
        stripes.add(hk);
        stripes.add(controlStripe);
        this.housekeeper = new Housekeeper(dataplane, hk);
        Link lo = new Link(nextIndex++, LOOPBACK, LOOPBACK_TYPE, List.of(), 1, LOOPBACK_MTU, MacAddress.ZERO);
        lo.device = new LoopbackDevice();
        lo.adminUp = true;
        links.put(lo.name, lo);
        byIndex.put(lo.index, lo);
        installAddress(lo, IpPrefix.parse("127.0.0.1/8"));
        installAddress(lo, IpPrefix.parse("::1/128"));
        publish();
    }

    // --- lifecycle -----------------------------------------------------------------------------

    /** Starts the housekeeper and the workers. */
    public void start() {
        locked(() -> {
            if (running) {
                return;
            }
            running = true;
            startThread(housekeeper, "netfence-housekeeper");
            dataplane.threads = threads();
            resizeWorkers(workerCount);
        });
    }

    /** Stops every thread and closes every device. The instance is not restarted. */
    public void stop() {
        ConfigStore st = store;
        if (st != null) {
            st.close();
            store = null;
        }
        locked(() -> {
            running = false;
            for (Worker w : workers) {
                w.stop();
            }
            housekeeper.stop();
            for (Worker w : workers) {
                join(w);
            }
            join(housekeeper);
            workers = new Worker[0];
            dataplane.threads = new PacketThread[0];
            for (Link l : links.values()) {
                closeDevice(l);
            }
        });
    }

    /** The packet path's shared state, for tests that drive a {@link PacketProcessor} directly. */
    Dataplane dataplane() {
        return dataplane;
    }

    // --- persistence ---------------------------------------------------------------------------

    /**
     * Restores the configuration saved in {@code file} (if any) and from now on saves every change
     * to it. Call before {@link #start()}. A line that no longer applies (say, an address that
     * conflicts) is skipped with a warning; links whose driver is not loaded yet wait for it. Links
     * saved up stay down until every restored link has its device (drivers arrive one by one), then
     * come up in one change with the addresses, routes and neighbours already there; after
     * {@link #restoreHoldMillis} those that have a device come up anyway.
     */
    public void persistTo(Path file) {
        locked(() -> {
            for (List<String> words : ConfigStore.read(file)) {
                try {
                    restoreLine(words);
                } catch (RuntimeException e) {
                    log.warn("{}: skipped \"{}\": {}", file, String.join(" ", words), message(e));
                }
            }
            releaseHeldLinks(false);
            publish();
        });
        store = new ConfigStore(file, this::configLines, log);
        if (links.values().stream().anyMatch(l -> l.held)) {
            // A driver that never comes must not keep the others down.
            long wait = restoreHoldMillis;
            Thread.ofVirtual().name("netfence-restore-hold").start(() -> {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
                locked(() -> {
                    if (releaseHeldLinks(true)) {
                        publish();
                    }
                });
            });
        }
    }

    /**
     * Brings the held links up, all in one published change, once every restored link has its
     * device (or, with {@code anyway}, now, leaving those without one for their driver). Returns
     * whether any link came up.
     */
    private boolean releaseHeldLinks(boolean anyway) {
        List<Link> held = links.values().stream().filter(l -> l.held).toList();
        if (held.isEmpty()) {
            return false;
        }
        boolean waiting = held.stream().anyMatch(l -> l.device == null && !drivers.containsKey(l.type));
        if (waiting && !anyway) {
            return false;
        }
        if (waiting) {
            log.warn("links {} still wait for their drivers; the other restored links come up now",
                    held.stream().filter(l -> l.device == null && !drivers.containsKey(l.type)).map(l -> l.name).toList());
        }
        boolean any = false;
        for (Link l : held) {
            l.held = false;
            if (l.device != null) {
                l.device.configure(l.adminUp, l.mtu);
                any = true;
            }
        }
        return any;
    }

    private void restoreLine(List<String> w) {
        switch (w.getFirst()) {
            case "workers" -> {
                workerCount = Integer.parseInt(w.get(1));
                workersSet = true;
            }
            case "link" -> restoreLink(w);
            case "addr" -> {
                Link l = existing(w.get(1));
                IpPrefix p = IpPrefix.parse(w.get(2));
                if (l.addresses.stream().noneMatch(x -> x.address().equals(p.address()))) {
                    installAddress(l, p);
                }
            }
            case "route" -> {
                Route r = new Route(RouteType.valueOf(w.get(1).toUpperCase(java.util.Locale.ROOT)), IpPrefix.parse(w.get(2)),
                        w.get(4).equals("-") ? null : IpAddress.parse(w.get(4)), w.get(6).equals("-") ? null : w.get(6),
                        Integer.parseInt(w.get(8)), w.get(10).equals("-") ? null : IpAddress.parse(w.get(10)), w.get(12));
                Routing.Entry e = routing.resolve(r);
                if (routing.find(e) == RouteTable.NONE) {
                    routing.add(e);
                }
            }
            case "neigh" -> {
                Link l = existing(w.get(1));
                IpAddress a = IpAddress.parse(w.get(2));
                dataplane.neighbours.setPermanent(l.index, a.version() == 6, a.hi(), a.lo(), MacAddress.parse(w.get(3)).bits(),
                        System.nanoTime());
            }
            default -> throw new IllegalArgumentException("unknown object \"" + w.getFirst() + "\"");
        }
    }

    /** {@code link INDEX NAME TYPE mtu M address MAC queues Q up|down args ARGS...}: created even without its driver. */
    private void restoreLink(List<String> w) {
        int index = Integer.parseInt(w.get(1));
        String name = w.get(2);
        if (links.containsKey(name) || byIndex.containsKey(index)) {
            throw new IllegalArgumentException("link " + name + " or index " + index + " exists");
        }
        int argsAt = w.indexOf("args");
        Link l = new Link(index, name, w.get(3), w.subList(argsAt + 1, w.size()), Integer.parseInt(w.get(9)),
                Integer.parseInt(w.get(5)), MacAddress.parse(w.get(7)));
        l.adminUp = w.get(10).equals("up");
        l.held = l.adminUp;
        links.put(name, l);
        byIndex.put(index, l);
        nextIndex = Math.max(nextIndex, index + 1);
        setAutoLinkLocal(l);
        List<PortDriver> list = drivers.get(l.type);
        if (list == null || list.isEmpty()) {
            l.detached = "the " + l.type + " driver is not loaded";
            return;
        }
        try {
            PortDriver d = list.getFirst();
            d.validate(spec(l));
            l.device = d.open(spec(l));
            l.device.configure(l.adminUp && !l.held, l.mtu);
        } catch (RuntimeException e) {
            l.detached = message(e);
            log.warn("link {}: {}", name, l.detached);
        }
    }

    /** The configuration as the lines {@link #persistTo} reads: what operators made, not what follows from it. */
    List<String> configLines() {
        return locked(() -> {
            List<String> out = new ArrayList<>();
            if (workersSet) {
                out.add(ConfigStore.line("workers", workerCount));
            }
            for (Link l : byIndex.values()) {
                if (l.loopback()) {
                    continue;
                }
                List<Object> words = new ArrayList<>(List.of("link", l.index, l.name, l.type, "mtu", l.mtu, "address", l.mac,
                        "queues", l.rxQueues, l.adminUp ? "up" : "down", "args"));
                words.addAll(l.args);
                out.add(ConfigStore.line(words.toArray()));
            }
            for (Link l : byIndex.values()) {
                for (IpPrefix p : l.addresses) {
                    boolean builtIn = p.equals(l.autoLinkLocal)
                            || (l.loopback() && (p.equals(IpPrefix.parse("127.0.0.1/8")) || p.equals(IpPrefix.parse("::1/128"))));
                    if (!builtIn) {
                        out.add(ConfigStore.line("addr", l.name, p));
                    }
                }
            }
            for (Route r : routing.list(0)) {
                if (!Routing.KERNEL.equals(r.protocol())) {
                    out.add(ConfigStore.line("route", r.type().label(), r.prefix(), "via", dash(r.gateway()), "dev", dash(r.device()),
                            "metric", r.metric(), "src", dash(r.preferredSource()), "proto", r.protocol()));
                }
            }
            dataplane.neighbours.forEach(System.nanoTime(), (port, v6, hi, lo, mac, state, age, queued) -> {
                Link l = byIndex.get(port);
                if (l != null && state == io.netfence.net.api.NeighbourState.PERMANENT) {
                    out.add(ConfigStore.line("neigh", l.name, v6 ? IpAddress.v6(hi, lo) : IpAddress.v4((int) lo), new MacAddress(mac)));
                }
            });
            return out;
        });
    }

    private static Object dash(Object o) {
        return o == null ? "-" : o;
    }

    // --- whiteboard: drivers and stages --------------------------------------------------------

    /** A driver arrived: links of its type that were waiting for it get their device. */
    public void addDriver(PortDriver driver) {
        locked(() -> {
            List<PortDriver> list = drivers.computeIfAbsent(driver.type(), t -> new ArrayList<>());
            list.add(driver);
            if (list.size() == 1) {
                attachLinks(driver);
            }
        });
    }

    /** A driver left: its links stay configured but go down until a driver of the type returns. */
    public void removeDriver(PortDriver driver) {
        locked(() -> {
            List<PortDriver> list = drivers.get(driver.type());
            if (list == null) {
                return;
            }
            boolean active = !list.isEmpty() && list.getFirst() == driver;
            list.remove(driver);
            if (list.isEmpty()) {
                drivers.remove(driver.type());
            }
            if (!active) {
                return;
            }
            List<Link> detached = new ArrayList<>();
            for (Link l : links.values()) {
                if (l.type.equals(driver.type()) && l.device != null) {
                    detached.add(l);
                }
            }
            List<PortDevice> devices = new ArrayList<>();
            for (Link l : detached) {
                devices.add(l.device);
                l.device = null;
                l.detached = "the " + l.type + " driver is not loaded";
            }
            publish();
            dataplane.awaitGracePeriod(generation);
            devices.forEach(ControlPlane::closeQuietly);
            if (!list.isEmpty()) {
                attachLinks(list.getFirst());
            }
        });
    }

    private void attachLinks(PortDriver driver) {
        boolean changed = false;
        for (Link l : links.values()) {
            if (l.type.equals(driver.type()) && l.device == null) {
                try {
                    l.device = driver.open(spec(l));
                    l.device.configure(l.adminUp && !l.held, l.mtu);
                    l.detached = null;
                    changed = true;
                } catch (RuntimeException e) {
                    l.detached = message(e);
                    log.warn("link {}: {}", l.name, l.detached);
                }
            }
        }
        if (releaseHeldLinks(false) || changed) {
            publish();
        }
    }

    /** The IPsec layer (one at a time): the dataplane starts calling it with the next pass. */
    public void setXfrmLayer(io.netfence.net.spi.XfrmLayer layer) {
        locked(() -> {
            dataplane.xfrm = layer;
            publish();
        });
    }

    /** Removes the IPsec layer if it is {@code layer}; when this returns no worker calls it any more. */
    public void clearXfrmLayer(io.netfence.net.spi.XfrmLayer layer) {
        locked(() -> {
            if (dataplane.xfrm == layer) {
                dataplane.xfrm = null;
                publish();
                dataplane.awaitGracePeriod(generation);
            }
        });
    }

    /** A packet stage registered for a hook; lower {@code order} runs first. */
    public void addStage(PacketStage stage, Hook hook, int order) {
        locked(() -> {
            stages.add(new StageEntry(stage, hook, order, stageSeq++));
            stages.sort(Comparator.comparingInt(StageEntry::order).thenComparingLong(StageEntry::seq));
            publish();
        });
    }

    /** Told of every link deleted from now on. */
    public void addLinkListener(io.netfence.net.spi.LinkListener listener) {
        linkListeners.add(listener);
    }

    public void removeLinkListener(io.netfence.net.spi.LinkListener listener) {
        linkListeners.remove(listener);
    }

    /** Removes a stage; when this returns no worker runs it any more. */
    public void removeStage(PacketStage stage) {
        locked(() -> {
            if (stages.removeIf(s -> s.stage() == stage)) {
                publish();
                dataplane.awaitGracePeriod(generation);
            }
        });
    }

    // --- links ---------------------------------------------------------------------------------

    @Override
    public Set<String> linkTypes() {
        return locked(() -> Set.copyOf(new TreeSet<>(drivers.keySet())));
    }

    @Override
    public String linkTypeUsage(String type) {
        return locked(() -> driver(type).usage());
    }

    private PortDriver driver(String type) {
        List<PortDriver> list = drivers.get(type);
        if (list == null || list.isEmpty()) {
            throw new NetException("link type \"" + type + "\" is unknown: expected one of " + new TreeSet<>(drivers.keySet()));
        }
        return list.getFirst();
    }

    @Override
    public LinkInfo addLink(LinkSpec spec) {
        LinkInfo added = mutate(() -> {
            checkName(spec.name());
            if (links.containsKey(spec.name())) {
                throw new NetException("Device \"" + spec.name() + "\" exists.");
            }
            if (spec.type() == null || LOOPBACK_TYPE.equals(spec.type())) {
                throw new NetException("type \"" + spec.type() + "\": expected one of " + new TreeSet<>(drivers.keySet()));
            }
            PortDriver driver = driver(spec.type());
            int mtu = spec.mtu() == 0 ? 1500 : checkMtu(spec.mtu());
            MacAddress mac = spec.mac() == null ? MacAddress.randomLocal(random) : checkMac(spec.mac());
            int queues = spec.rxQueues() == 0 ? 1 : spec.rxQueues();
            if (queues < 1 || queues > MAX_RX_QUEUES) {
                throw new NetException("numrxqueues \"" + spec.rxQueues() + "\": expected 1-" + MAX_RX_QUEUES);
            }
            Link l = new Link(nextIndex, spec.name(), spec.type(), spec.driverArgs(), queues, mtu, mac);
            PortSpec ps = spec(l);
            driver.validate(ps);
            try {
                l.device = driver.open(ps);
            } catch (NetException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new NetException("link " + l.name + ": the " + l.type + " device cannot be opened: " + message(e), e);
            }
            nextIndex++;
            l.device.configure(false, mtu);
            links.put(l.name, l);
            byIndex.put(l.index, l);
            setAutoLinkLocal(l);
            publish();
            return info(l);
        });
        // Outside the lock, as for a removal: a listener may read links back (tc resolving a mirred target).
        for (io.netfence.net.spi.LinkListener listener : linkListeners) {
            try {
                listener.linkAdded(added.name(), added.index());
            } catch (RuntimeException e) {
                log.warn("link listener {} failed on the addition of {}", listener, added.name(), e);
            }
        }
        return added;
    }

    private static PortSpec spec(Link l) {
        return new PortSpec(l.name, l.mtu, l.mac, l.rxQueues, l.args);
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.equals(".") || name.equals("..")) {
            throw new NetException("name \"" + name + "\": expected 1-" + MAX_NAME + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == '/' || c == ':' || c >= 0x7F) {
                throw new NetException("name \"" + name + "\": expected letters, digits, '-', '_' or '.' (no spaces, '/' or ':')");
            }
        }
    }

    private static int checkMtu(int mtu) {
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new NetException("mtu \"" + mtu + "\": expected " + MIN_MTU + "-" + MAX_MTU);
        }
        return mtu;
    }

    private static MacAddress checkMac(MacAddress mac) {
        if (mac.bits() == 0 || mac.isMulticast()) {
            throw new NetException("address \"" + mac + "\": expected a unicast MAC address (not zero, not multicast)");
        }
        return mac;
    }

    @Override
    public void deleteLink(String name) {
        int index = mutate(() -> {
            Link l = existing(name);
            if (l.loopback()) {
                throw new NetException("Device \"" + name + "\": the loopback link cannot be deleted");
            }
            dropNeighbours(l.index, true);
            routing.removeIf(0, routing.viaPort(l.index), generation);
            for (IpPrefix a : l.addresses) {
                routing.removeIf(0, routing.withSource(a.address()), generation);
            }
            links.remove(name);
            byIndex.remove(l.index);
            publish();
            dataplane.awaitGracePeriod(generation);
            closeDevice(l);
            return l.index;
        });
        // Outside the lock: a listener may call back into this service (tc deleting its qdisc).
        for (io.netfence.net.spi.LinkListener listener : linkListeners) {
            try {
                listener.linkRemoved(name, index);
            } catch (RuntimeException e) {
                log.warn("link listener {} failed on the removal of {}", listener, name, e);
            }
        }
    }

    @Override
    public void setLink(String name, LinkChange change) {
        mutate(() -> {
            Link l = existing(name);
            if (change.mtu() != null) {
                if (l.loopback()) {
                    if (change.mtu() < MIN_MTU || change.mtu() > LOOPBACK_MTU) {
                        throw new NetException("mtu \"" + change.mtu() + "\": expected " + MIN_MTU + "-" + LOOPBACK_MTU);
                    }
                } else {
                    checkMtu(change.mtu());
                }
            }
            if (change.mac() != null) {
                if (l.loopback()) {
                    throw new NetException("address: the loopback link has no MAC address to change");
                }
                checkMac(change.mac());
            }
            if (change.up() != null) {
                l.adminUp = change.up();
                l.held = false; // the operator decides now
            }
            if (change.mtu() != null) {
                l.mtu = change.mtu();
            }
            if (change.mac() != null && !change.mac().equals(l.mac)) {
                l.mac = change.mac();
                setAutoLinkLocal(l);
            }
            if (l.device != null) {
                l.device.configure(l.adminUp, l.mtu);
            }
            publish();
        });
    }

    /** Linux gives every Ethernet link an EUI-64 link-local address; the MAC decides it. */
    private void setAutoLinkLocal(Link l) {
        if (l.loopback()) {
            return;
        }
        if (l.autoLinkLocal != null) {
            l.addresses.remove(l.autoLinkLocal);
        }
        IpPrefix ll = new IpPrefix(IpAddress.v6(Addresses.V6_LINK_LOCAL_HI, Addresses.eui64(l.mac.bits())), 64);
        boolean taken = l.addresses.stream().anyMatch(a -> a.address().equals(ll.address()));
        l.autoLinkLocal = taken ? null : ll;
        if (!taken) {
            l.addresses.addFirst(ll);
        }
    }

    @Override
    public List<LinkInfo> links() {
        return locked(() -> byIndex.values().stream().map(this::info).toList());
    }

    @Override
    public LinkInfo link(String name) {
        return locked(() -> info(existing(name)));
    }

    private Link existing(String name) {
        Link l = name == null ? null : links.get(name);
        if (l == null) {
            throw new NetException("Device \"" + name + "\" does not exist.");
        }
        return l;
    }

    private LinkInfo info(Link l) {
        Map<String, String> details = new TreeMap<>();
        if (l.device != null) {
            details.putAll(l.device.details());
        } else if (l.detached != null) {
            details.put("detached", l.detached);
        }
        int queues = l.device != null ? l.device.rxQueues() : l.rxQueues;
        return new LinkInfo(l.index, l.name, l.type, l.mtu, l.mac, l.adminUp, l.operUp(), queues, details, stats(l));
    }

    // --- addresses -----------------------------------------------------------------------------

    @Override
    public void addAddress(String device, IpPrefix prefix) {
        mutate(() -> {
            Link l = existing(device);
            IpAddress a = prefix.address();
            if (!Addresses.isUnicastHost(a)) {
                throw new NetException("address \"" + prefix + "\": expected a unicast address");
            }
            for (Link other : links.values()) {
                for (IpPrefix p : other.addresses) {
                    if (p.address().equals(a)) {
                        throw new NetException(other == l ? "address " + a + " exists on " + device
                                : "address " + a + " is already assigned to " + other.name);
                    }
                }
            }
            installAddress(l, prefix);
            publish();
        });
    }

    /** Assigns the address and adds its kernel routes: local, and connected unless a sibling made it. */
    private void installAddress(Link l, IpPrefix prefix) {
        IpAddress a = prefix.address();
        l.addresses.add(prefix);
        if (a.version() == 6 && a.isLinkLocal()) {
            return; // link-local scope: the packet path answers it per link, no route needed
        }
        Routing.Entry local = new Routing.Entry(new IpPrefix(a, a.bitLength()), RouteType.LOCAL.ordinal(), true, 0,
                l.index, false, 0, 0, Routing.KERNEL, a);
        if (routing.find(local) == RouteTable.NONE) {
            routing.add(local);
        }
        if (prefix.length() < a.bitLength()) {
            // On lo the whole subnet is local (Linux: "local 127.0.0.0/8 dev lo table local").
            RouteType type = l.loopback() ? RouteType.LOCAL : RouteType.UNICAST;
            Routing.Entry connected = new Routing.Entry(prefix.network(), type.ordinal(), l.loopback(), 0,
                    l.index, false, 0, 0, Routing.KERNEL, a);
            if (routing.find(connected) == RouteTable.NONE) {
                routing.add(connected);
            }
        }
    }

    @Override
    public void deleteAddress(String device, IpPrefix prefix) {
        mutate(() -> {
            Link l = existing(device);
            IpPrefix found = null;
            for (IpPrefix p : l.addresses) {
                if (p.address().equals(prefix.address())
                        && (p.length() == prefix.length() || prefix.length() == prefix.address().bitLength())) {
                    found = p;
                }
            }
            if (found == null) {
                throw new NetException("address " + prefix + " is not assigned to " + device);
            }
            removeAddress(l, found);
            publish();
        });
    }

    private void removeAddress(Link l, IpPrefix p) {
        l.addresses.remove(p);
        if (p.equals(l.autoLinkLocal)) {
            l.autoLinkLocal = null;
        }
        IpPrefix net = p.network();
        routing.removeIf(p.version(), routing.kernelRoutesOf(l.index, p), generation);
        routing.removeIf(p.version(), routing.withSource(p.address()), generation);
        // Like Linux promoting a secondary address: a sibling on the same subnet keeps it connected.
        l.addresses.stream().filter(o -> o.network().equals(net)).findFirst().ifPresent(sibling -> {
            l.addresses.remove(sibling);
            installAddress(l, sibling);
        });
    }

    @Override
    public void flushAddresses(String device, int family) {
        mutate(() -> {
            List<Link> which = device == null ? new ArrayList<>(links.values()) : List.of(existing(device));
            for (Link l : which) {
                for (IpPrefix p : List.copyOf(l.addresses)) {
                    if ((family == 0 || p.version() == family) && !l.loopback()) {
                        removeAddress(l, p);
                    }
                }
            }
            publish();
        });
    }

    @Override
    public List<AddressInfo> addresses() {
        return locked(() -> {
            List<AddressInfo> out = new ArrayList<>();
            for (Link l : byIndex.values()) {
                for (IpPrefix p : l.addresses) {
                    out.add(new AddressInfo(l.index, l.name, p, scope(l, p.address())));
                }
            }
            return out;
        });
    }

    private static String scope(Link l, IpAddress a) {
        if (l.loopback() || (a.isV4() && Addresses.isV4Loopback(a.v4bits())) || (!a.isV4() && Addresses.isV6Loopback(a.hi(), a.lo()))) {
            return "host";
        }
        return a.isLinkLocal() ? "link" : "global";
    }

    // --- routes --------------------------------------------------------------------------------

    @Override
    public void addRoute(Route route) {
        mutate(() -> {
            Routing.Entry e = routing.resolve(route);
            if (routing.find(e) != RouteTable.NONE) {
                throw new NetException("route " + e.prefix() + " metric " + e.metric() + " exists (RTNETLINK answers: File exists)");
            }
            routing.add(e);
            publishIfFreed();
        });
    }

    @Override
    public void replaceRoute(Route route) {
        mutate(() -> {
            Routing.Entry e = routing.resolve(route);
            int id = routing.find(e);
            if (id == RouteTable.NONE) {
                routing.add(e);
            } else {
                routing.change(id, e, generation);
            }
            publishIfFreed();
        });
    }

    @Override
    public void deleteRoute(IpPrefix prefix, int metric) {
        mutate(() -> {
            int id = routing.findForDelete(prefix, metric);
            if (id == RouteTable.NONE) {
                throw new NetException("route " + prefix.network() + (metric >= 0 ? " metric " + metric : "")
                        + " does not exist (RTNETLINK answers: No such process)");
            }
            routing.remove(prefix.version(), id, generation);
            publishIfFreed();
        });
    }

    @Override
    public void addRoutes(List<Route> routes) {
        mutate(() -> {
            List<Routing.Entry> entries = new ArrayList<>(routes.size());
            for (int i = 0; i < routes.size(); i++) {
                try {
                    Routing.Entry e = routing.resolve(routes.get(i));
                    if (routing.find(e) != RouteTable.NONE) {
                        throw new NetException("route " + e.prefix() + " metric " + e.metric() + " exists");
                    }
                    entries.add(e);
                } catch (NetException ex) {
                    throw new NetException("route " + (i + 1) + " of " + routes.size() + ": " + ex.getMessage(), ex);
                }
            }
            Set<String> dup = Routing.duplicates(entries);
            if (!dup.isEmpty()) {
                throw new NetException("routes: the batch holds the same route twice: " + dup.iterator().next());
            }
            for (Routing.Entry e : entries) {
                routing.add(e);
            }
            publishIfFreed();
        });
    }

    @Override
    public void flushRoutes(int family) {
        mutate(() -> {
            routing.removeIf(family, routing.notKernel(), generation);
            publishIfFreed();
        });
    }

    @Override
    public List<Route> routes(int family) {
        return locked(() -> routing.list(family));
    }

    @Override
    public int routeCount(int family) {
        return locked(() -> routing.size(family));
    }

    @Override
    public RouteLookup routeGet(IpAddress destination) {
        return locked(() -> routing.lookup(destination));
    }

    // --- neighbours ----------------------------------------------------------------------------

    @Override
    public void addNeighbour(String device, IpAddress address, MacAddress mac) {
        mutate(() -> {
            Link l = existing(device);
            if (l.loopback()) {
                throw new NetException("dev \"" + device + "\": the loopback link has no neighbours");
            }
            checkNeighbourAddress(address);
            if (mac == null) {
                throw new NetException("lladdr: a MAC address is required");
            }
            dataplane.neighbours.setPermanent(l.index, address.version() == 6, address.hi(), address.lo(), mac.bits(),
                    System.nanoTime());
            housekeeper.wake();
        });
    }

    private static void checkNeighbourAddress(IpAddress a) {
        if (!Addresses.isUnicastHost(a)) {
            throw new NetException("address \"" + a + "\": expected a unicast address");
        }
    }

    @Override
    public void deleteNeighbour(String device, IpAddress address) {
        mutate(() -> {
            Link l = existing(device);
            int n = dataplane.neighbours.remove(l.index, address.version() == 6, address.hi(), address.lo(), poolScratch);
            if (n < 0) {
                throw new NetException("neighbour " + address + " dev " + device + " does not exist");
            }
            dropPooled(n);
        });
    }

    @Override
    public void flushNeighbours(String device) {
        locked(() -> dropNeighbours(device == null ? -1 : existing(device).index, false));
    }

    private void dropNeighbours(int port, boolean includePermanent) {
        dropPooled(dataplane.neighbours.flush(port, includePermanent, poolScratch));
    }

    /** Packets that waited for a neighbour that is gone: counted as unresolved, buffers returned. */
    private void dropPooled(int n) {
        if (n == 0) {
            return;
        }
        controlStripe.ensurePorts(nextIndex);
        for (int i = 0; i < n; i++) {
            controlStripe.drop(dataplane.neighbours.poolBuffer(poolScratch[i]).inPort, DropReason.NEIGHBOUR_UNRESOLVED.ordinal());
        }
        controlStripe.publish();
        dataplane.neighbours.releasePool(poolScratch, n);
    }

    @Override
    public List<NeighbourInfo> neighbours() {
        return locked(() -> {
            List<NeighbourInfo> out = new ArrayList<>();
            dataplane.neighbours.forEach(System.nanoTime(), (port, v6, hi, lo, mac, state, age, queued) -> {
                Link l = byIndex.get(port);
                if (l != null) {
                    IpAddress a = v6 ? IpAddress.v6(hi, lo) : IpAddress.v4((int) lo);
                    out.add(new NeighbourInfo(a, l.name, mac < 0 ? null : new MacAddress(mac), state, age / 1_000_000, queued));
                }
            });
            out.sort(Comparator.comparingInt((NeighbourInfo n) -> directory.indexOf(n.device())).thenComparing(NeighbourInfo::address));
            return out;
        });
    }

    // --- workers -------------------------------------------------------------------------------

    @Override
    public int workerCount() {
        return locked(() -> workerCount);
    }

    @Override
    public void setWorkerCount(int count) {
        mutate(() -> {
            if (count < 1 || count > MAX_WORKERS) {
                throw new NetException("workers \"" + count + "\": expected 1-" + MAX_WORKERS);
            }
            workersSet = true;
            if (running) {
                resizeWorkers(count);
            } else {
                workerCount = count;
                publish();
            }
        });
    }

    /**
     * The deployment's default worker count (configuration PID {@code io.netfence.net}); an
     * operator's {@code dataplane set workers} wins over it.
     */
    public void applyDefaultWorkers(int count) {
        locked(() -> {
            if (workersSet || count == workerCount || count < 1 || count > MAX_WORKERS) {
                return;
            }
            if (running) {
                resizeWorkers(count);
            } else {
                workerCount = count;
            }
        });
    }

    /**
     * Grows or shrinks the worker set. Shrinking first publishes an assignment without the
     * leaving workers and waits for a grace period, so no queue is ever polled by two threads.
     */
    private void resizeWorkers(int count) {
        Worker[] old = workers;
        if (count < old.length) {
            workerCount = count;
            publish();
            dataplane.awaitGracePeriod(generation);
            for (int i = count; i < old.length; i++) {
                old[i].stop();
            }
            for (int i = count; i < old.length; i++) {
                if (!join(old[i])) {
                    // Still running (stuck in a stage): its stripe stays its own; a new worker gets a fresh one.
                    CounterStripe fresh = new CounterStripe();
                    workerStripes.set(i, fresh);
                    stripes.add(fresh);
                }
            }
            workers = java.util.Arrays.copyOf(old, count);
        } else {
            Worker[] grown = java.util.Arrays.copyOf(old, count);
            for (int i = old.length; i < count; i++) {
                while (workerStripes.size() <= i) {
                    CounterStripe s = new CounterStripe();
                    workerStripes.add(s);
                    stripes.add(s);
                }
                // The reassembly memory bound is shared out among the workers there are now.
                grown[i] = new Worker(dataplane, i, workerStripes.get(i), Reassembly.workerShare(count));
            }
            workers = grown;
            dataplane.threads = threads();
            for (int i = old.length; i < count; i++) {
                startThread(grown[i], "netfence-worker-" + i);
            }
            workerCount = count;
            publish();
        }
        dataplane.threads = threads();
    }

    private PacketThread[] threads() {
        PacketThread[] t = new PacketThread[workers.length + 1];
        System.arraycopy(workers, 0, t, 0, workers.length);
        t[workers.length] = housekeeper;
        return t;
    }

    private static void startThread(PacketThread t, String name) {
        Thread th = new Thread(t, name);
        th.setDaemon(true);
        t.thread = th;
        th.start();
    }

    private boolean join(PacketThread t) {
        Thread th = t.thread;
        if (th == null) {
            return true;
        }
        try {
            th.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (th.isAlive()) {
            log.warn("{} did not stop within {} ms", th.getName(), JOIN_MILLIS);
            return false;
        }
        return true;
    }

    @Override
    public List<WorkerInfo> workers() {
        return locked(() -> {
            DataplaneConfig cfg = dataplane.config;
            List<WorkerInfo> out = new ArrayList<>();
            for (int w = 0; w < workerCount; w++) {
                List<String> queues = new ArrayList<>();
                int[] ports = cfg.portsOf(w);
                int[] qs = cfg.queuesOf(w);
                for (int i = 0; i < ports.length; i++) {
                    PortView v = cfg.port(ports[i]);
                    queues.add((v == null ? "?" : v.name) + "/" + qs[i]);
                }
                long[] now = workerCounters(w);
                long[] base = workerBaseline.getOrDefault(w, new long[3]);
                out.add(new WorkerInfo(w, queues, now[0] - base[0], now[1] - base[1], now[2] - base[2]));
            }
            return out;
        });
    }

    private long[] workerCounters(int w) {
        if (w >= workerStripes.size()) {
            return new long[3];
        }
        CounterStripe s = workerStripes.get(w);
        s.acquire();
        return new long[] {s.batches, s.packets, s.idlePolls};
    }

    // --- counters ------------------------------------------------------------------------------

    @Override
    public void clearCounters() {
        locked(() -> {
            for (Link l : links.values()) {
                portBaseline.put(l.index, sumPort(l.index));
                rxErrorBaseline.put(l.index, l.device == null ? 0 : l.device.rxErrors());
            }
            for (int w = 0; w < workerStripes.size(); w++) {
                workerBaseline.put(w, workerCounters(w));
            }
        });
    }

    private long[] sumPort(int port) {
        long[] sum = new long[CounterStripe.STRIDE];
        for (CounterStripe s : stripes) {
            s.acquire();
            for (int f = 0; f < CounterStripe.STRIDE; f++) {
                sum[f] += s.get(port, f);
            }
        }
        return sum;
    }

    private LinkStats stats(Link l) {
        long[] sum = sumPort(l.index);
        long[] base = portBaseline.get(l.index);
        if (base != null) {
            for (int f = 0; f < sum.length; f++) {
                sum[f] -= base[f];
            }
        }
        Map<String, Long> reasons = new TreeMap<>();
        long dropped = 0;
        for (int r = 0; r < DropReason.count(); r++) {
            long n = sum[CounterStripe.DROPS + r];
            if (r == DropReason.RX_ERROR.ordinal() && l.device != null) {
                n += l.device.rxErrors() - rxErrorBaseline.getOrDefault(l.index, 0L);
            }
            if (n > 0) {
                reasons.put(DropReason.of(r).label(), n);
                dropped += n;
            }
        }
        return new LinkStats(sum[CounterStripe.RX_PACKETS], sum[CounterStripe.RX_BYTES], dropped,
                sum[CounterStripe.TX_PACKETS], sum[CounterStripe.TX_BYTES], sum[CounterStripe.TX_DROPPED], reasons);
    }

    // --- publication ---------------------------------------------------------------------------

    private void publishIfFreed() {
        if (routing.takeFreed()) {
            publish();
        }
    }

    /**
     * Publishes the model to the packet threads. If a queue changes worker, an intermediate
     * configuration without the moved queues goes first, followed by a grace period, so the
     * old and the new owner never poll it at the same time.
     */
    private void publish() {
        PortView[] ports = new PortView[nextIndex];
        for (Link l : byIndex.values()) {
            ports[l.index] = view(l);
        }
        List<int[]> pairs = new ArrayList<>();
        for (Link l : byIndex.values()) {
            if (l.operUp() && !l.loopback()) {
                for (int q = 0; q < l.device.rxQueues(); q++) {
                    pairs.add(new int[] {l.index, q});
                }
            }
        }
        int n = running ? workerCount : 0;
        int[] owner = new int[pairs.size()];
        for (int i = 0; i < owner.length; i++) {
            owner[i] = n == 0 ? -1 : i % n;
        }
        PacketStage[] ingress = stagesOf(Hook.INGRESS);
        PacketStage[] egress = stagesOf(Hook.EGRESS);
        DataplaneConfig current = dataplane.config;
        if (current != null && movesQueues(current, pairs, owner)) {
            int[] held = owner.clone();
            for (int i = 0; i < held.length; i++) {
                int was = ownerIn(current, pairs.get(i));
                if (was >= 0 && was != held[i]) {
                    held[i] = -1;
                }
            }
            dataplane.config = build(ports, pairs, held, n, ingress, egress);
            dataplane.awaitGracePeriod(generation);
        }
        dataplane.config = build(ports, pairs, owner, n, ingress, egress);
        housekeeper.wake();
    }

    private DataplaneConfig build(PortView[] ports, List<int[]> pairs, int[] owner, int n, PacketStage[] ingress,
                                  PacketStage[] egress) {
        int[] counts = new int[n];
        for (int o : owner) {
            if (o >= 0) {
                counts[o]++;
            }
        }
        int[][] wp = new int[n][];
        int[][] wq = new int[n][];
        for (int w = 0; w < n; w++) {
            wp[w] = new int[counts[w]];
            wq[w] = new int[counts[w]];
        }
        int[] fill = new int[n];
        for (int i = 0; i < owner.length; i++) {
            int w = owner[i];
            if (w >= 0) {
                wp[w][fill[w]] = pairs.get(i)[0];
                wq[w][fill[w]++] = pairs.get(i)[1];
            }
        }
        return new DataplaneConfig(++generation, ports, wp, wq, ingress, egress);
    }

    private static boolean movesQueues(DataplaneConfig current, List<int[]> pairs, int[] owner) {
        for (int i = 0; i < owner.length; i++) {
            int was = ownerIn(current, pairs.get(i));
            if (was >= 0 && was != owner[i]) {
                return true;
            }
        }
        return false;
    }

    private static int ownerIn(DataplaneConfig cfg, int[] pair) {
        for (int w = 0; w < cfg.workerPorts.length; w++) {
            int[] p = cfg.workerPorts[w];
            int[] q = cfg.workerQueues[w];
            for (int i = 0; i < p.length; i++) {
                if (p[i] == pair[0] && q[i] == pair[1]) {
                    return w;
                }
            }
        }
        return -1;
    }

    private PacketStage[] stagesOf(Hook hook) {
        return stages.stream().filter(s -> s.hook() == hook).map(StageEntry::stage).toArray(PacketStage[]::new);
    }

    private static PortView view(Link l) {
        int v4 = 0;
        int v6 = 0;
        for (IpPrefix p : l.addresses) {
            if (p.version() == 4) {
                v4++;
            } else {
                v6++;
            }
        }
        int[] a4 = new int[v4];
        int[] len4 = new int[v4];
        long[] hi6 = new long[v6];
        long[] lo6 = new long[v6];
        int[] len6 = new int[v6];
        int i4 = 0;
        int i6 = 0;
        for (IpPrefix p : l.addresses) {
            if (p.version() == 4) {
                a4[i4] = p.address().v4bits();
                len4[i4++] = p.length();
            } else {
                hi6[i6] = p.address().hi();
                lo6[i6] = p.address().lo();
                len6[i6++] = p.length();
            }
        }
        return new PortView(l.index, l.name, l.device, l.mtu, l.mac.bits(), l.operUp(), l.loopback(), a4, len4, hi6, lo6, len6);
    }

    // --- helpers -------------------------------------------------------------------------------

    private void closeDevice(Link l) {
        PortDevice d = l.device;
        l.device = null;
        if (d != null) {
            closeQuietly(d);
        }
    }

    private static void closeQuietly(PortDevice d) {
        try {
            d.close();
        } catch (RuntimeException ignored) {
            // Closing is best effort: the link is gone either way.
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** A change to the configuration: under the lock, and saved once it succeeded. */
    private <T> T mutate(Supplier<T> s) {
        T result = locked(s);
        ConfigStore st = store;
        if (st != null) {
            st.changed();
        }
        return result;
    }

    private void mutate(Runnable r) {
        mutate(() -> {
            r.run();
            return null;
        });
    }

    private void locked(Runnable r) {
        locked(() -> {
            r.run();
            return null;
        });
    }

    private <T> T locked(Supplier<T> s) {
        lock.lock();
        try {
            return s.get();
        } catch (NetException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            // A driver or table refusing in its own words: still a refusal, and nothing changed.
            throw new NetException(message(e), e);
        } finally {
            lock.unlock();
        }
    }

    /** The view of the links that {@link Routing} gets. */
    private final class LinkDirectory implements Routing.Links {
        @Override
        public int indexOf(String name) {
            Link l = links.get(name);
            return l == null ? -1 : l.index;
        }

        @Override
        public String nameOf(int index) {
            Link l = byIndex.get(index);
            return l == null ? null : l.name;
        }

        @Override
        public boolean isLocalAddress(IpAddress address) {
            for (Link l : links.values()) {
                for (IpPrefix p : l.addresses) {
                    if (p.address().equals(address)) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        public IpAddress sourceFor(int index, IpAddress peer) {
            Link l = byIndex.get(index);
            if (l == null) {
                return null;
            }
            IpAddress first = null;
            for (IpPrefix p : l.addresses) {
                if (p.version() != peer.version() || (p.version() == 6 && p.address().isLinkLocal() && !peer.isLinkLocal())) {
                    continue;
                }
                if (p.contains(peer)) {
                    return p.address();
                }
                if (first == null) {
                    first = p.address();
                }
            }
            return first;
        }
    }
}
