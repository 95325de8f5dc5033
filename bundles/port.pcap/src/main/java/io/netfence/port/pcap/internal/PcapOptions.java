package io.netfence.port.pcap.internal;

import io.netfence.net.spi.DriverArgs;
import io.netfence.net.api.NetException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The parsed words of {@code ip link add NAME type pcap [rx FILE] [tx FILE] [loop COUNT] [rate PPS]}.
 *
 * @param rx file replayed as received frames, or null
 * @param tx file transmitted frames are written to, or null
 * @param loop how many times the rx file is replayed, 0 = forever
 * @param rate replay pace in packets per second, 0 = as fast as the worker polls
 */
record PcapOptions(Path rx, Path tx, long loop, long rate) {
    static final String USAGE = "pcap [rx FILE] [tx FILE] [loop COUNT] [rate PPS] (at least one of rx, tx)";
    static final long MAX_RATE = 1_000_000_000L;

    private static final Set<String> KEYWORDS = Set.of("rx", "tx", "loop", "rate");
    static final long MAX_LOOP = 1_000_000_000L;

    private static final String LOOP_FORM = "a replay count 0-" + MAX_LOOP + " (0 = forever)";
    private static final String RATE_FORM = "packets per second 0-" + MAX_RATE + " (0 = as fast as possible; k, M, G suffixes allowed)";

    /** Parses and checks the arguments without opening anything. */
    static PcapOptions parse(List<String> args) {
        DriverArgs walker = new DriverArgs(USAGE, args);
        Path rx = null;
        Path tx = null;
        long loop = 1;
        long rate = 0;
        boolean loopGiven = false;
        boolean rateGiven = false;
        while (walker.hasNext()) {
            String keyword = walker.keyword(KEYWORDS);
            switch (keyword) {
                case "rx" -> rx = readableFile(keyword, walker.value(keyword, "FILE"));
                case "tx" -> tx = writableFile(keyword, walker.value(keyword, "FILE"));
                case "loop" -> {
                    loop = DriverArgs.number(keyword, walker.value(keyword, "COUNT"), 0, MAX_LOOP, false, LOOP_FORM);
                    loopGiven = true;
                }
                case "rate" -> {
                    rate = DriverArgs.number(keyword, walker.value(keyword, "PPS"), 0, MAX_RATE, true, RATE_FORM);
                    rateGiven = true;
                }
                default -> throw new IllegalStateException(keyword);
            }
        }
        if (rx == null && tx == null) {
            throw new NetException("pcap needs a file: expected " + USAGE);
        }
        if (rx == null && (loopGiven || rateGiven)) {
            throw new NetException("argument \"" + (loopGiven ? "loop" : "rate") + "\" paces replay and needs rx FILE: expected " + USAGE);
        }
        if (rx != null && tx != null && rx.toAbsolutePath().normalize().equals(tx.toAbsolutePath().normalize())) {
            throw new NetException("tx \"" + tx + "\": names the same file as rx; expected a different FILE");
        }
        return new PcapOptions(rx, tx, loop, rate);
    }

    private static Path path(String keyword, String text) {
        if (text.isEmpty()) {
            throw DriverArgs.refuse(keyword, text, "a file name");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw DriverArgs.refuse(keyword, text, "a valid file name (" + e.getReason() + ")");
        }
    }

    private static Path readableFile(String keyword, String text) {
        Path p = path(keyword, text);
        if (!Files.exists(p)) {
            throw DriverArgs.refuse(keyword, text, "an existing pcap file (no such file)");
        }
        if (!Files.isRegularFile(p)) {
            throw DriverArgs.refuse(keyword, text, "a regular pcap file (not a directory or device)");
        }
        if (!Files.isReadable(p)) {
            throw DriverArgs.refuse(keyword, text, "a readable pcap file (permission denied)");
        }
        return p;
    }

    private static Path writableFile(String keyword, String text) {
        Path p = path(keyword, text);
        if (Files.isDirectory(p)) {
            throw DriverArgs.refuse(keyword, text, "a file to write, not a directory");
        }
        if (Files.exists(p) && (!Files.isRegularFile(p) || !Files.isWritable(p))) {
            throw DriverArgs.refuse(keyword, text, "a writable regular file");
        }
        Path parent = p.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw DriverArgs.refuse(keyword, text, "a file in an existing directory");
        }
        if (!Files.exists(p) && !Files.isWritable(parent)) {
            throw DriverArgs.refuse(keyword, text, "a file in a writable directory");
        }
        return p;
    }
}
