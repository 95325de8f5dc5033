package io.netfence.net.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Keeps the dataplane configuration on disk so nothing an operator configured is lost across a
 * restart. After every successful change the control plane calls {@link #changed()}; a writer
 * thread coalesces bursts (a batch of 100k routes is one write), takes a snapshot and replaces
 * the file atomically (write, fsync, rename, fsync the folder), so a crash leaves either the old
 * or the new file, never a torn one.
 *
 * <p>Format: one object per line, words separated by spaces, so a driver
 * argument with a space survives: {@code link 2 eth0 tap mtu 1500 address 02:.. queues 1 up args ifname nf0}.
 * Only {@code % space tab CR LF} are escaped (as %XX); an empty word is {@code %00}.
 */
final class ConfigStore {
    static final String HEADER = "# Netfence dataplane configuration, rewritten by the appliance on every change.";
    private static final long COALESCE_MILLIS = 100;

    private final Path file;
    private final Supplier<List<String>> snapshot;
    private final Logger log;
    private final Object signal = new Object();
    private boolean dirty;
    private boolean stopping;
    private final Thread writer;
    /** How long the last snapshot and write took: the next write waits at least as long, so a
     * burst of changes to a big configuration (a batch of routes) costs a bounded share of a core. */
    private long lastWriteMillis;

    ConfigStore(Path file, Supplier<List<String>> snapshot, Logger log) {
        this.file = file;
        this.snapshot = snapshot;
        this.log = log;
        this.writer = new Thread(this::run, "netfence-config-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** The lines of the stored configuration, or none if there is no file yet. */
    static List<List<String>> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            List<List<String>> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                List<String> words = new ArrayList<>();
                for (String w : t.split(" +")) {
                    words.add(decode(w));
                }
                out.add(words);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** One line from words, each percent-encoded. */
    static String line(Object... words) {
        StringBuilder sb = new StringBuilder();
        for (Object w : words) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(encode(String.valueOf(w)));
        }
        return sb.toString();
    }

    /** Only what would break a line apart is escaped, so the file stays readable: % space tab CR LF. */
    static String encode(String word) {
        if (word.isEmpty()) {
            return "%00";
        }
        StringBuilder sb = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            switch (c) {
                case '%' -> sb.append("%25");
                case ' ' -> sb.append("%20");
                case '\t' -> sb.append("%09");
                case '\n' -> sb.append("%0A");
                case '\r' -> sb.append("%0D");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String decode(String word) {
        if (word.equals("%00")) {
            return "";
        }
        StringBuilder sb = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '%' && i + 2 < word.length()) {
                sb.append((char) Integer.parseInt(word.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    void changed() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    /** Writes what is pending and stops the writer. */
    void close() {
        synchronized (signal) {
            stopping = true;
            signal.notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            synchronized (signal) {
                while (!dirty && !stopping) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!dirty) {
                    return;
                }
            }
            if (!stopping) {
                try {
                    Thread.sleep(Math.max(COALESCE_MILLIS, lastWriteMillis));
                } catch (InterruptedException e) {
                    return;
                }
            }
            synchronized (signal) {
                dirty = false;
            }
            long started = System.nanoTime();
            try {
                write(snapshot.get());
                lastWriteMillis = (System.nanoTime() - started) / 1_000_000;
            } catch (RuntimeException | IOException e) {
                log.error("the configuration could not be saved to {}: {}", file, e.toString());
            }
        }
    }

    /** Writes the whole file next to the old one, syncs it, and renames it into place. */
    void write(List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder(64 * lines.size() + 128).append(HEADER).append('\n');
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot sync a folder; the rename is still atomic.
        }
    }
}
