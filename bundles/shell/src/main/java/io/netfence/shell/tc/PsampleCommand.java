package io.netfence.shell.tc;

import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.shell.text.Table;
import io.netfence.tc.api.PacketSample;
import io.netfence.tc.api.PsampleGroup;
import io.netfence.tc.api.PsampleService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code psample}: reads the samples tc's {@code sample} action delivered, as libpsample's
 * {@code psample} tool reads Linux's psample netlink channel. Reading takes the samples (as
 * reading the socket does) unless {@code -k} keeps them; {@code -w FILE} writes them to a pcap
 * file for tcpdump or tshark.
 */
public final class PsampleCommand {
    static final String HELP = """
            Usage: psample [ -j[son] [ -p[retty] ] ] [ -v ] [ -k ] [ -g GROUP ]
                   psample [ -k ] -g GROUP -w FILE
                   psample [ -j[son] ] -l
                   psample help

            The packets tc's sample action picked (sample rate N group G [ trunc SIZE ]), as Linux's
            psample module delivers them: per group, numbered from 0 (seq), with the input and output
            port (iif, oif: ifindex, oif 0 at ingress), the packet's length (origsize), the action's
            rate, and the frame's first bytes (at most trunc; without it up to 2048 bytes).
            A group holds 1024 unread samples; when it is full new samples are dropped and counted
            (the gap shows in seq), as netlink drops samples a reader is too slow to take.

            Options:
              -g GROUP  only that group (else every group)
              -k        keep the samples: show them without taking them
              -v        the whole sampled data as a hex dump (else its first 16 bytes)
              -w FILE   write the group's samples to FILE as pcap (link type Ethernet), for
                        tcpdump -r FILE or tshark -r FILE; prints how many were written
              -l        list the groups: next seq, samples held, capacity, bytes kept, drops

            Examples:
              tc filter add dev eth0 ingress matchall action sample rate 100 group 5 trunc 128
              psample -g 5
              psample -g 5 -w /tmp/group5.pcap""";

    private static final int HEAD_BYTES = 16;

    private final PsampleService psample;

    public PsampleCommand(PsampleService psample) {
        this.psample = psample;
    }

    public String execute(List<String> words) {
        Args args = new Args(words);
        boolean json = false;
        boolean pretty = false;
        boolean verbose = false;
        boolean keep = false;
        boolean list = false;
        Integer group = null;
        String file = null;
        while (args.hasNext()) {
            String w = args.next();
            switch (w) {
                case "help", "-h", "-help", "--help" -> {
                    return HELP;
                }
                case "-j", "-json", "--json" -> json = true;
                case "-p", "-pretty", "--pretty" -> pretty = true;
                case "-v", "-verbose" -> verbose = true;
                case "-k", "-keep" -> keep = true;
                case "-l", "-list" -> list = true;
                case "-g", "-group" -> group = args.intValue(w, 0, Integer.MAX_VALUE);
                case "-w", "-write" -> file = args.value(w, "FILE (the pcap file to write)");
                default -> throw CommandException.badArgument(w, "expected -j, -v, -k, -g GROUP, -w FILE, -l or help");
            }
        }
        if (list) {
            if (group != null || file != null || keep) {
                throw CommandException.badArgument("-l", "it lists every group: expected no -g, -w or -k with it");
            }
            return groups(json, pretty);
        }
        if (file != null) {
            if (group == null) {
                throw CommandException.required("-g GROUP", "psample -g GROUP -w FILE");
            }
            if (json) {
                throw CommandException.badArgument("-j", "-w writes pcap: expected no -j with it");
            }
            return write(group, Path.of(file), keep);
        }
        List<PacketSample> samples = new ArrayList<>();
        if (group != null) {
            samples.addAll(read(group, keep));
        } else {
            for (PsampleGroup g : psample.groups()) {
                samples.addAll(read(g.group(), keep));
            }
        }
        return json ? json(samples, pretty) : text(samples, verbose);
    }

    private List<PacketSample> read(int group, boolean keep) {
        return keep ? psample.peek(group) : psample.take(group);
    }

    private String groups(boolean json, boolean pretty) {
        List<PsampleGroup> groups = psample.groups();
        if (json) {
            JsonWriter w = new JsonWriter(pretty).beginArray();
            for (PsampleGroup g : groups) {
                w.beginObject().member("group", g.group()).member("seq", g.seq()).member("held", g.held())
                        .member("capacity", g.capacity()).member("max_bytes", g.maxBytes()).member("dropped", g.dropped()).endObject();
            }
            return w.endArray().toString();
        }
        if (groups.isEmpty()) {
            return "";
        }
        Table t = Table.withHeader("GROUP", "SEQ", "HELD", "CAPACITY", "MAX_BYTES", "DROPPED").alignRight(0, 1, 2, 3, 4, 5);
        for (PsampleGroup g : groups) {
            t.row(g.group(), g.seq(), g.held(), g.capacity(), g.maxBytes(), g.dropped());
        }
        return t.render();
    }

    private static String text(List<PacketSample> samples, boolean verbose) {
        StringBuilder b = new StringBuilder();
        for (PacketSample s : samples) {
            if (!b.isEmpty()) {
                b.append('\n');
            }
            b.append("group ").append(s.group()).append(" seq ").append(s.seq()).append(" iif ").append(s.iifindex())
                    .append(" oif ").append(s.oifindex()).append(" origsize ").append(s.origSize()).append(" rate ").append(s.rate())
                    .append(" len ").append(s.data().length).append(" time ").append(instant(s.timestampNanos()));
            byte[] d = s.data();
            int shown = verbose ? d.length : Math.min(d.length, HEAD_BYTES);
            for (int line = 0; line < shown; line += 16) {
                b.append("\n    ").append(String.format("%04x:", line));
                for (int i = line; i < Math.min(shown, line + 16); i++) {
                    b.append(' ').append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
                }
            }
            if (shown < d.length) {
                b.append(" ...");
            }
        }
        return b.toString();
    }

    private static String json(List<PacketSample> samples, boolean pretty) {
        JsonWriter w = new JsonWriter(pretty).beginArray();
        for (PacketSample s : samples) {
            w.beginObject().member("group", s.group()).member("seq", s.seq()).member("iifindex", s.iifindex())
                    .member("oifindex", s.oifindex()).member("origsize", s.origSize()).member("rate", s.rate())
                    .member("time", instant(s.timestampNanos())).member("data", hex(s.data())).endObject();
        }
        return w.endArray().toString();
    }

    private static String instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private static String hex(byte[] d) {
        return java.util.HexFormat.of().formatHex(d);
    }

    private String write(int group, Path file, boolean keep) {
        List<PacketSample> samples = read(group, keep);
        try (OutputStream out = Files.newOutputStream(file)) {
            writePcap(out, samples);
        } catch (IOException e) {
            throw new CommandException("Error: cannot write \"" + file + "\": " + e.getMessage() + ": expected a writable file", e);
        }
        return samples.size() + (samples.size() == 1 ? " sample" : " samples") + " of group " + group + " written to " + file;
    }

    /** LINKTYPE_ETHERNET: samples start at the link-layer header (a headerless device's at the IP header, see the docs). */
    static final int LINKTYPE_ETHERNET = 1;

    /** Classic pcap (microsecond timestamps, host order as libpcap writes it): a global header, then a record per sample. */
    static void writePcap(OutputStream out, List<PacketSample> samples) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(LINKTYPE_ETHERNET);
        out.write(h.array());
        for (PacketSample s : samples) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            long ns = s.timestampNanos();
            r.putInt((int) Math.floorDiv(ns, 1_000_000_000L)).putInt((int) (Math.floorMod(ns, 1_000_000_000L) / 1000))
                    .putInt(s.data().length).putInt(Math.max(s.origSize(), s.data().length));
            out.write(r.array());
            out.write(s.data());
        }
    }
}
