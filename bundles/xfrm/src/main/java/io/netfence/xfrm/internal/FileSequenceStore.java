package io.netfence.xfrm.internal;

import io.netfence.xfrm.api.SequenceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongConsumer;

/**
 * Sequence-number high-water marks in a folder, one 8-byte file per name, written and fsynced by one
 * thread of its own so no packet thread waits for the disk. A mark is reported durable only after
 * {@code force} returned; a failed write reports the previous mark, so the caller simply asks again.
 */
public final class FileSequenceStore implements SequenceStore, AutoCloseable {
    /** A mark to store, or ({@code forget}) the point in the queue where a dropped name ends. */
    private record Request(String sa, long mark, LongConsumer done, boolean forget) {
    }

    /** Held by the writer while it checks and writes one mark, and by {@link #forget}. */
    private final Object writing = new Object();
    /** Names dropped whose point in the queue the writer has not reached yet (how many times). */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> forgotten = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path dir;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public FileSequenceStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        writer = new Thread(this::run, "netfence-seq-store");
        writer.setDaemon(true);
        writer.start();
    }

    private Path file(String sa) {
        if (!sa.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("SA name \"" + sa + "\" is not a safe file name");
        }
        return dir.resolve(sa + ".seq");
    }

    @Override
    public long load(String sa) {
        Path f = file(sa);
        try {
            if (!Files.exists(f)) {
                return 0;
            }
            byte[] b = Files.readAllBytes(f);
            return b.length == 8 ? ByteBuffer.wrap(b).getLong() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sequence mark of " + sa, e);
        }
    }

    @Override
    public void reserve(String sa, long mark, LongConsumer done) {
        queue.add(new Request(sa, mark, done, false));
    }

    @Override
    public void forget(String sa) {
        Path f = file(sa); // a bad name fails here, on the caller's thread
        synchronized (writing) {
            // From here until the writer reaches the request queued below (the queue keeps
            // order), reservations of the name are skipped: none can write the file back. The
            // lock waits out a write already under way, so the deletion comes after it.
            forgotten.merge(sa, 1, Integer::sum);
            try {
                Files.deleteIfExists(f); // gone now for whoever loads the name next; durable when the writer syncs the folder
            } catch (IOException e) {
                // Left behind: a new SA of that name would start with its window above the old top.
            }
        }
        queue.add(new Request(sa, 0, null, true));
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(8);
        while (running) {
            Request r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r.forget()) {
                forgotten.computeIfPresent(r.sa(), (k, n) -> n == 1 ? null : n - 1);
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true); // the deletion is durable too
                } catch (IOException | RuntimeException e) {
                    // A crash now may bring the file back: the next SA of that name starts above the old top.
                }
                continue;
            }
            boolean dropped;
            long stored = 0;
            synchronized (writing) {
                dropped = forgotten.containsKey(r.sa());
                if (!dropped) {
                    stored = write(r.sa(), r.mark(), buf);
                }
            }
            // A dropped name's answer is moot (its SA is gone; the callback only clears a flag).
            r.done().accept(dropped ? r.mark() : stored);
        }
    }

    /** Writes and syncs one mark; returns it, or on failure the mark stored before. */
    private long write(String sa, long mark, ByteBuffer buf) {
        long stored;
        try {
            stored = load(sa);
        } catch (RuntimeException e) {
            stored = 0; // unreadable: nothing above 0 counts as stored, the caller asks again
        }
        Path f = file(sa);
        boolean fresh = !Files.exists(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            buf.clear();
            buf.putLong(mark).flip();
            // Eight bytes in one sector: a crash leaves the old mark or the new one.
            ch.write(buf, 0);
            ch.force(false);
            if (fresh) {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true); // the new file's name is durable too
                }
            }
            stored = mark;
        } catch (IOException | RuntimeException e) {
            // `stored` stays the old mark: the sequence keeps to it and asks again.
        }
        return stored;
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
    }
}
