package io.netfence.shell.bench;

import io.netfence.net.api.AddressInfo;
import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.LinkStats;
import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.net.api.WorkerInfo;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bench [pps RATE] [count N] [size BYTES] [flows N] [workers N] [seconds S]}: builds a
 * generator-to-sink forwarding setup through {@link NetService} alone, runs traffic through the
 * real packet path, reports Mpps per worker and in total, and removes everything it made, also
 * when it fails or is interrupted.
 *
 * <p>The setup, in the RFC 2544 benchmarking range 198.18.0.0/15: link bench-gen (type gen,
 * 198.18.0.1/24) receives generated UDP frames from 198.18.0.2 to 198.19.128.1, one source port
 * per flow; they are routed by 198.19.128.0/17 via 198.19.0.2, a static
 * neighbour on bench-sink (type sink, 198.19.0.1/24), which counts and discards them.
 */
public final class BenchCommand {
    static final String GEN = "bench-gen";
    static final String SINK = "bench-sink";
    static final IpPrefix BENCH_RANGE = IpPrefix.parse("198.18.0.0/15");
    static final IpPrefix GEN_ADDRESS = IpPrefix.parse("198.18.0.1/24");
    static final IpPrefix SINK_ADDRESS = IpPrefix.parse("198.19.0.1/24");
    static final IpAddress SOURCE = IpAddress.parse("198.18.0.2");
    static final IpAddress NEXT_HOP = IpAddress.parse("198.19.0.2");
    /** Locally administered, its low octets spell the next hop (c6:13:00:02 = 198.19.0.2). */
    static final MacAddress NEXT_HOP_MAC = MacAddress.parse("02:00:c6:13:00:02");
    static final IpPrefix DESTINATIONS = IpPrefix.parse("198.19.128.0/17");
    static final IpAddress FIRST_DESTINATION = IpAddress.parse("198.19.128.1");
    /** Destinations 198.19.128.1 .. 198.19.255.254. */
    static final int MAX_FLOWS = 32766;
    static final int MIN_SIZE = 64;
    static final int MAX_SIZE = 9014;
    static final int ETHERNET_HEADER = 14;
    static final int DEFAULT_SECONDS = 5;
    /** With a count and no time limit, the run still ends after an hour. */
    static final int MAX_SECONDS = 3600;
    static final long POLL_MILLIS = 50;
    /** How long to wait, after the generator stops, for frames still in flight to reach the sink. */
    static final long DRAIN_MILLIS = 1000;

    static final String HELP = """
            Usage: bench [ -j | -json ] [ -p | -pretty ] [ pps RATE ] [ count PACKETS ] [ size BYTES ] [ flows FLOWS ]
                         [ workers WORKERS ] [ seconds SECONDS ] [ esp SUITE [ encrypt | decrypt ] ] [ tc RULES ]
                   bench help
            where  RATE := packets per second over all queues (default: as fast as possible)
                   PACKETS := stop after this many packets (default: run for SECONDS)
                   BYTES := frame size 64-9014 (default 64)
                   FLOWS := distinct UDP flows (source ports) 1-32766 (default 256)
                   WORKERS := dataplane workers for the run, 1-64 (default: as configured now)
                   SECONDS := 1-3600 (default 5)
                   SUITE := aes-128-gcm | aes-256-gcm | chacha20-poly1305 | aes-128-cbc-hmac-sha256
                   RULES := tc flower rules on bench-gen's ingress, 1-200000

            Pushes generated UDP frames through the forwarding path into a sink and reports the
            forwarding rate of each worker and in total, in millions of packets per second (Mpps).
            bench builds its setup with the ordinary configuration calls, in the benchmarking range
            198.18.0.0/15 (RFC 2544), and removes it afterwards, also on error or Ctrl-C:
              link bench-gen  type gen, one receive queue per worker, address 198.18.0.1/24,
                              UDP frames from 198.18.0.2 to 198.19.128.1 (one source port per flow)
              link bench-sink type sink, address 198.19.0.1/24, counts and discards frames
              neigh 198.19.0.2 lladdr 02:00:c6:13:00:02 dev bench-sink (static)
              route 198.19.128.0/17 via 198.19.0.2 dev bench-sink
            With esp, the forwarded traffic also goes through IPsec (an SA with a fresh random key,
            SPI 0x198, tunnel mode, no replay window; removed afterwards):
              encrypt  an out policy 198.18.0.0/16 -> 198.19.128.0/17 seals every packet; bench-sink
                       receives ESP from 198.19.0.1 to 198.19.0.2
              decrypt  one packet is first sealed by the appliance and captured (links bench-tpl and
                       bench-cap, removed at once); bench-gen then replays that ESP, addressed to
                       198.19.1.3 (an address of bench-gen for the run), and the appliance opens it
                       and forwards the inner packet under a fwd policy
            Besides Mpps it prints the inner bytes per second; compare with openssl speed -evp.
            With tc, bench-gen gets a clsact qdisc and RULES flower rules on its ingress, loaded as one
            change (the time it took is printed): one classifier instance, the rules spread evenly over
            four masks (dst_ip /32; src_ip /24 + ip_proto udp + dst_port; dst_mac; ip_proto tcp +
            src_port + dst_ip), all "action pass", exactly one matching the generated traffic. Every
            packet is classified against the four mask groups, then forwarded as without tc: compare
            with the same run without tc, and across RULES (flower's cost follows the masks, not the
            rules).
            The worker count is restored when it was changed. bench refuses to run while links named
            bench-gen or bench-sink exist, or addresses or routes use 198.18.0.0/15.
            Afterwards it checks that the counters add up (bench-sink sent what bench-gen received
            minus what was dropped) and prints a warning if they do not.

            Examples:
              bench
              bench workers 2 seconds 3
              bench size 1500 flows 1024
              bench -j pps 1000000 count 5000000
              bench esp aes-128-gcm size 1414 workers 1
              bench esp aes-128-gcm decrypt size 78
              bench tc 100000 workers 1""";

    static final String CAPTURE = "bench-cap";
    static final String TEMPLATE_GEN = "bench-tpl";
    static final IpPrefix CAPTURE_ADDRESS = IpPrefix.parse("198.19.1.1/24");
    static final IpPrefix TEMPLATE_ADDRESS = IpPrefix.parse("198.18.1.1/24");
    /** The ESP frames of decrypt mode are addressed to this MAC, which bench-gen then takes. */
    static final MacAddress CAPTURE_MAC = MacAddress.parse("02:00:c6:13:01:03");

    private final NetService net;
    private final BenchClock clock;
    /** The XfrmService when one is registered (typed loosely: the xfrm API is an optional import). */
    private final java.util.function.Supplier<?> xfrm;
    /** The TcService when one is registered (typed loosely: the tc API is an optional import). */
    private final java.util.function.Supplier<?> tc;

    public BenchCommand(NetService net) {
        this(net, () -> null, BenchClock.SYSTEM);
    }

    public BenchCommand(NetService net, java.util.function.Supplier<?> xfrm) {
        this(net, xfrm, BenchClock.SYSTEM);
    }

    public BenchCommand(NetService net, BenchClock clock) {
        this(net, () -> null, clock);
    }

    public BenchCommand(NetService net, java.util.function.Supplier<?> xfrm, BenchClock clock) {
        this(net, xfrm, () -> null, clock);
    }

    public BenchCommand(NetService net, java.util.function.Supplier<?> xfrm, java.util.function.Supplier<?> tc, BenchClock clock) {
        this.net = net;
        this.xfrm = xfrm;
        this.tc = tc;
        this.clock = clock;
    }

    /**
     * What the operator asked for; 0 means "not given" for pps, count, seconds and workers; esp is
     * null without IPsec, else the suite, with decrypt choosing the direction.
     */
    record Params(long pps, long count, int size, int flows, int workers, int seconds, boolean json, boolean pretty,
                  String esp, boolean decrypt, int tcRules) {
        Params(long pps, long count, int size, int flows, int workers, int seconds, boolean json, boolean pretty) {
            this(pps, count, size, flows, workers, seconds, json, pretty, null, false, 0);
        }
    }

    public String execute(String... words) {
        Params p = parse(words);
        if (p == null) {
            return HELP;
        }
        check();
        return run(p);
    }

    static Params parse(String... words) {
        Args args = new Args(List.of(words));
        long pps = 0;
        long count = 0;
        int size = 0;
        int flows = 0;
        int workers = 0;
        int seconds = 0;
        boolean json = false;
        boolean pretty = false;
        String esp = null;
        Boolean decrypt = null;
        int tcRules = 0;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "-j", "-json", "--json" -> json = true;
                case "-p", "-pretty", "--pretty" -> pretty = true;
                case "help", "-h", "-help", "--help" -> {
                    return null;
                }
                case "pps" -> pps = once(word, pps, args.longValue(word, 1, 1_000_000_000L));
                case "count" -> count = once(word, count, args.longValue(word, 1, Long.MAX_VALUE / 2));
                case "size" -> size = (int) once(word, size, args.intValue(word, MIN_SIZE, MAX_SIZE));
                case "flows" -> flows = (int) once(word, flows, args.intValue(word, 1, MAX_FLOWS));
                case "workers" -> workers = (int) once(word, workers, args.intValue(word, 1, 64));
                case "seconds" -> seconds = (int) once(word, seconds, args.intValue(word, 1, MAX_SECONDS));
                case "tc" -> tcRules = (int) once(word, tcRules, args.intValue(word, 1, 200_000));
                case "esp" -> {
                    if (esp != null) {
                        throw CommandException.duplicate(word);
                    }
                    esp = args.value(word, String.join(" | ", BenchIpsecNames.SUITES));
                    if (!BenchIpsecNames.SUITES.contains(esp)) {
                        throw CommandException.notOneOf(esp, BenchIpsecNames.SUITES);
                    }
                }
                case "encrypt", "decrypt" -> {
                    if (decrypt != null) {
                        throw CommandException.duplicate("encrypt | decrypt");
                    }
                    decrypt = word.equals("decrypt");
                }
                default -> throw CommandException.notOneOf(word, List.of("pps", "count", "size", "flows", "workers",
                        "seconds", "esp", "encrypt", "decrypt", "tc", "-j", "-p", "help"));
            }
        }
        if (decrypt != null && esp == null) {
            throw CommandException.badArgument(decrypt ? "decrypt" : "encrypt", "it needs esp SUITE before or after it");
        }
        return new Params(pps, count, size == 0 ? MIN_SIZE : size, flows == 0 ? 256 : flows, workers, seconds, json, pretty,
                esp, decrypt != null && decrypt, tcRules);
    }

    private static long once(String keyword, long previous, long value) {
        if (previous != 0) {
            throw CommandException.duplicate(keyword);
        }
        return value;
    }

    /** Refuses to run where the setup would collide with the configuration, before changing anything. */
    private void check() {
        try {
            for (LinkInfo l : net.links()) {
                if (l.name().equals(GEN) || l.name().equals(SINK)) {
                    throw new CommandException("Error: link \"" + l.name() + "\" exists: expected no links named " + GEN
                            + " or " + SINK + " (another bench is running, or delete them with ip link delete)");
                }
            }
            for (String type : List.of("gen", "sink")) {
                if (!net.linkTypes().contains(type)) {
                    throw new CommandException("Error: link type \"" + type + "\" is not available: expected the "
                            + type + " driver to be installed (ip link add NAME type lists the drivers present)");
                }
            }
            for (AddressInfo a : net.addresses()) {
                if (overlaps(a.prefix().network())) {
                    throw new CommandException("Error: address " + a.prefix() + " dev " + a.linkName() + " is in "
                            + BENCH_RANGE + ": expected that range free for bench (remove it with ip address delete)");
                }
            }
            for (Route r : net.routes(4)) {
                if (r.prefix().length() > 0 && overlaps(r.prefix())) {
                    throw new CommandException("Error: route " + r.prefix() + " is in " + BENCH_RANGE
                            + ": expected that range free for bench (remove it with ip route delete)");
                }
            }
        } catch (NetException e) {
            throw CommandException.refused(e);
        }
    }

    /** Whether a prefix and the benchmarking range share addresses (one contains the other). */
    static boolean overlaps(IpPrefix p) {
        if (p.version() != 4) {
            return false;
        }
        return p.length() >= BENCH_RANGE.length() ? BENCH_RANGE.contains(p.address()) : p.contains(BENCH_RANGE.address());
    }

    static List<String> generatorArgs(Params p) {
        List<String> args = new ArrayList<>(List.of("src", SOURCE.toString(), "dst", FIRST_DESTINATION.toString(),
                "flows", Integer.toString(p.flows()), "size", Integer.toString(p.size())));
        if (p.pps() > 0) {
            args.add("rate"); // the gen link type's word for packets per second
            args.add(Long.toString(p.pps()));
        }
        if (p.count() > 0) {
            args.add("count");
            args.add(Long.toString(p.count()));
        }
        return args;
    }

    /** Counters of the two links at one moment. */
    private record Sample(LinkStats gen, LinkStats sink, Map<Integer, Long> workerPackets) {
    }

    private Sample sample() {
        Map<Integer, Long> perWorker = new TreeMap<>();
        for (WorkerInfo w : net.workers()) {
            perWorker.put(w.id(), w.packets());
        }
        return new Sample(net.link(GEN).stats(), net.link(SINK).stats(), perWorker);
    }

    private String run(Params p) {
        Deque<Undo> undo = new ArrayDeque<>();
        List<String> cleanupFailures = new ArrayList<>();
        Result result = null;
        RuntimeException failure = null;
        boolean interrupted = false;
        long started = clock.nanoTime();
        try {
            result = measure(p, undo);
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (NetException e) {
            failure = CommandException.refused(e);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            while (!undo.isEmpty()) {
                Undo u = undo.pop();
                try {
                    u.action().run();
                } catch (RuntimeException e) {
                    cleanupFailures.add(u.what() + ": " + e.getMessage());
                }
            }
        }
        String cleanup = cleanupFailures.isEmpty() ? "" : "; cleanup failed: " + String.join("; ", cleanupFailures);
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new CommandException(String.format(Locale.ROOT, "Error: bench interrupted after %.1f s; %s",
                    (clock.nanoTime() - started) / 1e9, cleanupFailures.isEmpty() ? "its setup was removed"
                            : "cleanup failed: " + String.join("; ", cleanupFailures)));
        }
        if (failure != null) {
            if (cleanupFailures.isEmpty()) {
                throw failure;
            }
            throw new CommandException(failure.getMessage() + cleanup, failure);
        }
        List<String> warnings = new ArrayList<>(result.warnings());
        for (String f : cleanupFailures) {
            warnings.add("warning: cleanup failed: " + f);
        }
        return p.json() ? json(p, result, warnings) : text(p, result, warnings);
    }

    private record Undo(String what, Runnable action) {
    }

    /** Per-worker and total packets over {@code seconds}, and the end-of-run counter check. */
    private record Result(Map<Integer, Long> workerPackets, long totalPackets, double seconds, long genReceived,
                          long genDropped, long sinkSent, long sinkDropped, Map<String, Long> dropReasons,
                          List<String> warnings, double tcInstallSeconds) {
    }

    private Result measure(Params p, Deque<Undo> undo) throws InterruptedException {
        int previousWorkers = net.workerCount();
        int workers = p.workers() == 0 ? previousWorkers : p.workers();
        if (workers != previousWorkers) {
            net.setWorkerCount(workers);
            undo.push(new Undo("restore " + previousWorkers + " workers", () -> net.setWorkerCount(previousWorkers)));
        }
        int mtu = p.size() - ETHERNET_HEADER > 1500 ? p.size() - ETHERNET_HEADER : 0;
        BenchIpsec ipsec = null;
        if (p.esp() != null) {
            Object service = xfrm.get();
            if (service == null) {
                throw new CommandException("Error: bench esp needs IPsec: expected the xfrm feature installed (feature list)");
            }
            ipsec = new BenchIpsec(service, p.esp());
            ipsec.check(p.decrypt() ? BenchIpsec.ESP_TARGET : NEXT_HOP);
        }
        // The sink carries the ESP in encrypt mode: room for the overhead.
        int sinkMtu = ipsec == null || p.decrypt() ? mtu : Math.max(mtu, 1500) + ipsec.overhead();
        if (p.decrypt()) {
            // The generator replays captured ESP: the capture comes first (see captureEsp).
            java.nio.file.Path template = captureEsp(p, ipsec, undo);
            List<String> args = new ArrayList<>(List.of("template", template.toString(), "flows", Integer.toString(p.flows())));
            List<String> pace = generatorArgs(p);
            for (int i = 0; i < pace.size(); i += 2) {
                if (pace.get(i).equals("rate") || pace.get(i).equals("count")) {
                    args.add(pace.get(i));
                    args.add(pace.get(i + 1));
                }
            }
            net.addLink(new LinkSpec(GEN, "gen", Math.max(mtu, 1500) + ipsec.overhead(), CAPTURE_MAC, workers, args));
        } else {
            // the generator first: its driver checks its arguments before anything else exists
            net.addLink(new LinkSpec(GEN, "gen", mtu, null, workers, generatorArgs(p)));
        }
        undo.push(new Undo("ip link delete " + GEN, () -> net.deleteLink(GEN)));
        net.addLink(new LinkSpec(SINK, "sink", sinkMtu, null, 1, List.of()));
        undo.push(new Undo("ip link delete " + SINK, () -> net.deleteLink(SINK)));
        net.addAddress(GEN, GEN_ADDRESS);
        undo.push(new Undo("ip address delete " + GEN_ADDRESS + " dev " + GEN, () -> net.deleteAddress(GEN, GEN_ADDRESS)));
        net.addAddress(SINK, SINK_ADDRESS);
        undo.push(new Undo("ip address delete " + SINK_ADDRESS + " dev " + SINK, () -> net.deleteAddress(SINK, SINK_ADDRESS)));
        net.addNeighbour(SINK, NEXT_HOP, NEXT_HOP_MAC);
        undo.push(new Undo("ip neigh delete " + NEXT_HOP + " dev " + SINK, () -> net.deleteNeighbour(SINK, NEXT_HOP)));
        net.addRoute(new Route(RouteType.UNICAST, DESTINATIONS, NEXT_HOP, SINK, 0, null, "static"));
        undo.push(new Undo("ip route delete " + DESTINATIONS, () -> net.deleteRoute(DESTINATIONS, 0)));
        net.setLink(SINK, new LinkChange(true, null, null));
        if (ipsec != null) {
            BenchIpsec s = ipsec;
            if (p.decrypt()) {
                net.addAddress(GEN, new IpPrefix(BenchIpsec.ESP_TARGET, 32));
                undo.push(new Undo("ip address delete " + BenchIpsec.ESP_TARGET + "/32 dev " + GEN,
                        () -> net.deleteAddress(GEN, new IpPrefix(BenchIpsec.ESP_TARGET, 32))));
                s.addPolicy(io.netfence.xfrm.api.XfrmDirection.FWD, BenchIpsec.ESP_TARGET);
                undo.push(new Undo("ip xfrm policy delete dir fwd", () -> s.deletePolicy(io.netfence.xfrm.api.XfrmDirection.FWD)));
            } else {
                s.addState(NEXT_HOP, 0);
                undo.push(new Undo("ip xfrm state delete spi 0x198", () -> s.deleteState(NEXT_HOP)));
                s.addPolicy(io.netfence.xfrm.api.XfrmDirection.OUT, NEXT_HOP);
                undo.push(new Undo("ip xfrm policy delete dir out", () -> s.deletePolicy(io.netfence.xfrm.api.XfrmDirection.OUT)));
            }
        }

        double tcInstall = 0;
        if (p.tcRules() > 0) {
            Object service = tc.get();
            if (service == null) {
                throw new CommandException("Error: bench tc needs tc: expected the netfence-tc feature installed (feature list)");
            }
            BenchTc rules = new BenchTc(service);
            undo.push(new Undo("tc qdisc del dev " + GEN + " clsact", () -> rules.remove(GEN)));
            tcInstall = rules.install(GEN, p.tcRules(), SOURCE, 9, clock);
        }

        Sample before = sample();
        long t0 = clock.nanoTime();
        net.setLink(GEN, new LinkChange(true, null, null));
        long limitNanos = (p.seconds() != 0 ? p.seconds() : p.count() != 0 ? MAX_SECONDS : DEFAULT_SECONDS) * 1_000_000_000L;
        long t1;
        while (true) {
            clock.sleep(POLL_MILLIS);
            t1 = clock.nanoTime();
            if (t1 - t0 >= limitNanos) {
                break;
            }
            if (p.count() != 0 && net.link(GEN).stats().rxPackets() - before.gen().rxPackets() >= p.count()) {
                break;
            }
        }
        Sample running = sample();
        net.setLink(GEN, new LinkChange(false, null, null));
        Sample after = drain();

        Map<Integer, Long> perWorker = new TreeMap<>();
        long total = 0;
        for (Map.Entry<Integer, Long> e : running.workerPackets().entrySet()) {
            long delta = e.getValue() - before.workerPackets().getOrDefault(e.getKey(), 0L);
            perWorker.put(e.getKey(), delta);
            total += delta;
        }
        long genReceived = after.gen().rxPackets() - before.gen().rxPackets();
        long genDropped = after.gen().rxDropped() - before.gen().rxDropped();
        long sinkSent = after.sink().txPackets() - before.sink().txPackets();
        long sinkDropped = after.sink().txDropped() - before.sink().txDropped();
        Map<String, Long> reasons = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.gen().dropReasons().entrySet()) {
            long delta = e.getValue() - before.gen().dropReasons().getOrDefault(e.getKey(), 0L);
            if (delta != 0) {
                reasons.put(e.getKey(), delta);
            }
        }
        List<String> warnings = new ArrayList<>();
        if (sinkSent + sinkDropped != genReceived - genDropped) {
            warnings.add("warning: counters do not add up: " + GEN + " received " + genReceived + " and dropped "
                    + genDropped + ", so " + (genReceived - genDropped) + " should have left, but " + SINK + " sent "
                    + sinkSent + " and dropped " + sinkDropped);
        }
        if (genReceived == 0) {
            warnings.add("warning: " + GEN + " received nothing: is the gen driver generating?");
        }
        return new Result(perWorker, total, (t1 - t0) / 1e9, genReceived, genDropped, sinkSent, sinkDropped,
                reasons, warnings, tcInstall);
    }

    /**
     * Decrypt mode, first phase: one packet of the bench flow, sent by a temporary generator,
     * is encrypted by the appliance itself (out policy, the SA with a fresh key) towards
     * {@link BenchIpsec#ESP_TARGET} and written to a pcap file by a capture link. The SA stays for
     * the run; the capture links and the out policy go. Returns the pcap file.
     */
    private java.nio.file.Path captureEsp(Params p, BenchIpsec ipsec, Deque<Undo> undo) throws InterruptedException {
        java.nio.file.Path file;
        try {
            file = java.nio.file.Files.createTempFile("netfence-bench-esp", ".pcap");
        } catch (java.io.IOException e) {
            throw new CommandException("Error: bench esp decrypt cannot create its capture file: " + e.getMessage(), e);
        }
        undo.push(new Undo("remove " + file, () -> file.toFile().delete()));
        ipsec.addState(BenchIpsec.ESP_TARGET, 0);
        undo.push(new Undo("ip xfrm state delete spi 0x198", () -> ipsec.deleteState(BenchIpsec.ESP_TARGET)));
        List<String> one = new ArrayList<>(List.of("src", SOURCE.toString(), "dst", FIRST_DESTINATION.toString(), "flows", "1",
                "size", Integer.toString(p.size()), "count", "1"));
        int mtu = Math.max(1500, p.size()) + ipsec.overhead();
        Deque<Undo> phase = new ArrayDeque<>();
        try {
            net.addLink(new LinkSpec(TEMPLATE_GEN, "gen", mtu, null, 1, one));
            phase.push(new Undo("ip link delete " + TEMPLATE_GEN, () -> net.deleteLink(TEMPLATE_GEN)));
            net.addLink(new LinkSpec(CAPTURE, "pcap", mtu, null, 1, List.of("tx", file.toString())));
            phase.push(new Undo("ip link delete " + CAPTURE, () -> net.deleteLink(CAPTURE)));
            net.addAddress(TEMPLATE_GEN, TEMPLATE_ADDRESS);
            net.addAddress(CAPTURE, CAPTURE_ADDRESS);
            net.addNeighbour(CAPTURE, BenchIpsec.ESP_TARGET, CAPTURE_MAC);
            net.addRoute(new Route(RouteType.UNICAST, DESTINATIONS, null, CAPTURE, 0, null, "static"));
            phase.push(new Undo("ip route delete " + DESTINATIONS, () -> net.deleteRoute(DESTINATIONS, 0)));
            ipsec.addPolicy(io.netfence.xfrm.api.XfrmDirection.OUT, BenchIpsec.ESP_TARGET);
            phase.push(new Undo("ip xfrm policy delete dir out", () -> ipsec.deletePolicy(io.netfence.xfrm.api.XfrmDirection.OUT)));
            net.setLink(CAPTURE, new LinkChange(true, null, null));
            net.setLink(TEMPLATE_GEN, new LinkChange(true, null, null));
            long deadline = clock.nanoTime() + 2_000_000_000L;
            while (net.link(CAPTURE).stats().txPackets() < 1) {
                if (clock.nanoTime() > deadline) {
                    throw new CommandException("Error: bench esp decrypt: the appliance did not encrypt the template packet ("
                            + TEMPLATE_GEN + " drops: " + net.link(TEMPLATE_GEN).stats().dropReasons() + ")");
                }
                clock.sleep(10);
            }
        } finally {
            // The capture links go now, whatever happened; the pcap writer flushes on close.
            while (!phase.isEmpty()) {
                phase.pop().action().run();
            }
        }
        return file;
    }

    /** Waits until the sink's and the generator's counters stop moving (frames in flight arrived). */
    private Sample drain() throws InterruptedException {
        Sample last = sample();
        long deadline = clock.nanoTime() + DRAIN_MILLIS * 1_000_000L;
        while (clock.nanoTime() < deadline) {
            clock.sleep(POLL_MILLIS);
            Sample now = sample();
            if (now.sink().txPackets() == last.sink().txPackets() && now.sink().txDropped() == last.sink().txDropped()
                    && now.gen().rxPackets() == last.gen().rxPackets() && now.gen().rxDropped() == last.gen().rxDropped()) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static double mpps(long packets, double seconds) {
        return seconds <= 0 ? 0 : packets / seconds / 1e6;
    }

    private static String text(Params p, Result r, List<String> warnings) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : r.workerPackets().entrySet()) {
            lines.add(String.format(Locale.ROOT, "worker %d: %.2f Mpps", e.getKey(), mpps(e.getValue(), r.seconds())));
        }
        lines.add(String.format(Locale.ROOT, "total: %.2f Mpps (%d packets in %.2f s, %d-byte frames, %d flows%s)",
                mpps(r.totalPackets(), r.seconds()), r.totalPackets(), r.seconds(), p.size(), p.flows(),
                p.esp() == null ? "" : ", esp " + p.esp() + (p.decrypt() ? " decrypt" : " encrypt")));
        if (p.esp() != null) {
            lines.add(String.format(Locale.ROOT, "inner bytes: %.1f MB/s (%.2f Gbit/s)",
                    mpps(r.totalPackets(), r.seconds()) * (p.size() - ETHERNET_HEADER),
                    mpps(r.totalPackets(), r.seconds()) * (p.size() - ETHERNET_HEADER) * 8 / 1000));
        }
        if (p.tcRules() > 0) {
            lines.add(String.format(Locale.ROOT, "tc: %d flower rules over %d masks on %s ingress, loaded in %.3f s (%.0f rules/s)",
                    p.tcRules(), BenchTc.MASKS, GEN, r.tcInstallSeconds(), p.tcRules() / Math.max(r.tcInstallSeconds(), 1e-9)));
        }
        if (r.genDropped() > 0) {
            StringBuilder sb = new StringBuilder("drops: ").append(r.genDropped());
            for (Map.Entry<String, Long> e : r.dropReasons().entrySet()) {
                sb.append(' ').append(e.getKey()).append(' ').append(e.getValue());
            }
            lines.add(sb.toString());
        }
        lines.addAll(warnings);
        return String.join("\n", lines);
    }

    private static String json(Params p, Result r, List<String> warnings) {
        JsonWriter json = new JsonWriter(p.pretty()).beginObject();
        json.name("workers").beginArray();
        for (Map.Entry<Integer, Long> e : r.workerPackets().entrySet()) {
            json.beginObject().member("id", e.getKey()).member("packets", e.getValue())
                    .member("mpps", round(mpps(e.getValue(), r.seconds()))).endObject();
        }
        json.endArray();
        json.name("total").beginObject().member("packets", r.totalPackets()).member("seconds", round(r.seconds()))
                .member("mpps", round(mpps(r.totalPackets(), r.seconds()))).endObject();
        json.member("frame_size", p.size()).member("flows", p.flows());
        if (p.esp() != null) {
            json.name("esp").beginObject().member("suite", p.esp()).member("direction", p.decrypt() ? "decrypt" : "encrypt")
                    .member("inner_bytes_per_second", Math.round(mpps(r.totalPackets(), r.seconds()) * 1e6 * (p.size() - ETHERNET_HEADER)))
                    .endObject();
        }
        if (p.tcRules() > 0) {
            json.name("tc").beginObject().member("rules", p.tcRules()).member("masks", BenchTc.MASKS)
                    .member("install_seconds", round(r.tcInstallSeconds())).endObject();
        }
        json.name("counters").beginObject()
                .member("gen_rx_packets", r.genReceived()).member("gen_rx_dropped", r.genDropped())
                .member("sink_tx_packets", r.sinkSent()).member("sink_tx_dropped", r.sinkDropped())
                .member("consistent", r.sinkSent() + r.sinkDropped() == r.genReceived() - r.genDropped());
        json.name("drop_reasons").beginObject();
        for (Map.Entry<String, Long> e : r.dropReasons().entrySet()) {
            json.member(e.getKey(), e.getValue());
        }
        json.endObject().endObject();
        json.member("warnings", warnings);
        return json.endObject().toString();
    }

    /** Three decimals are plenty for Mpps and seconds. */
    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
