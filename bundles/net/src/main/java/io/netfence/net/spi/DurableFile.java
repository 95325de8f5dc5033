package io.netfence.net.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A configuration file in the appliance's data folder that survives crashes and keeps up with
 * bursts: after every change its owner calls {@link #changed()}; a writer thread coalesces bursts
 * (a batch of 100k routes or rules is one write), takes a snapshot of the lines and replaces the
 * file atomically (write, fsync, rename, fsync the folder), so a crash leaves either the old or the
 * new file, never a torn one. Used by the dataplane, tc and anything else that keeps what operators
 * configured.
 */
public final class DurableFile implements AutoCloseable {
    private static final long COALESCE_MILLIS = 100;

    private final Path file;
    private final String header;
    private final boolean ownerOnly;
    private final Supplier<List<String>> snapshot;
    private final Logger log;
    private final Object signal = new Object();
    private boolean dirty;
    /** A snapshot is being taken and written. */
    private boolean writing;
    private boolean stopping;
    private final Thread writer;
    /** How long the last snapshot and write took: the next write waits at least as long, so a burst
     * of changes to a big configuration costs a bounded share of a core. */
    private long lastWriteMillis;

    /**
     * @param header    the comment line written first (starting with {@code #})
     * @param ownerOnly create the file readable by its owner only (0600): it holds secrets
     * @param snapshot  the lines to write, taken on the writer thread
     */
    public DurableFile(Path file, String header, boolean ownerOnly, Supplier<List<String>> snapshot, Logger log) {
        this.file = file;
        this.header = header;
        this.ownerOnly = ownerOnly;
        this.snapshot = snapshot;
        this.log = log;
        this.writer = new Thread(this::run, "netfence-writer-" + file.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    /** The file's lines without blank lines and {@code #} comments, stripped; none if there is no file yet. */
    public static List<String> readLines(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Something changed: the file is rewritten soon. */
    public void changed() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    /**
     * Waits until no change is pending or being written, at most {@code timeoutMillis}; true if the
     * file is then up to date. For measurements that must not share the machine with a big write.
     */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (signal) {
            while (dirty || writing) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                signal.wait(left);
            }
            return true;
        }
    }

    /** Writes what is pending and stops the writer. */
    @Override
    public void close() {
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
                writing = true;
            }
            long started = System.nanoTime();
            try {
                write(snapshot.get());
                lastWriteMillis = (System.nanoTime() - started) / 1_000_000;
            } catch (RuntimeException | IOException e) {
                log.error("the configuration could not be saved to {}: {}", file, e.toString());
            } finally {
                synchronized (signal) {
                    writing = false;
                    signal.notifyAll();
                }
            }
        }
    }

    /** Writes the whole file next to the old one, syncs it, and renames it into place. */
    public void write(List<String> lines) throws IOException {
        replace(file, header, lines, ownerOnly);
    }

    /**
     * Replaces {@code file} with {@code header} and {@code lines} so that a crash leaves the old
     * file or the new one, never a torn one: written next to it ({@code ownerOnly}: created 0600,
     * for files that hold secrets), synced, renamed into place, the folder synced. For owners that
     * write at once rather than through a writer thread.
     */
    public static void replace(Path file, String header, List<String> lines, boolean ownerOnly) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder(64 * lines.size() + 128).append(header).append('\n');
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.deleteIfExists(tmp);
        if (ownerOnly) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
