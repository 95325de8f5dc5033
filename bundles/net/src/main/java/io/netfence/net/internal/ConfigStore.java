package io.netfence.net.internal;

import io.netfence.net.spi.DurableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Keeps the dataplane configuration on disk so nothing an operator configured is lost across a
 * restart: a {@link DurableFile} (coalesced, atomic rewrites after every change) of the lines below.
 *
 * <p>Format: one object per line, words separated by spaces, so a driver
 * argument with a space survives: {@code link 2 eth0 tap mtu 1500 address 02:.. queues 1 up args ifname nf0}.
 * Only {@code % space tab CR LF} are escaped (as %XX); an empty word is {@code %00}.
 */
final class ConfigStore {
    static final String HEADER = "# Netfence dataplane configuration, rewritten by the appliance on every change.";
    private final DurableFile file;

    ConfigStore(Path file, Supplier<List<String>> snapshot, Logger log) {
        this.file = new DurableFile(file, HEADER, false, snapshot, log);
    }

    /** The lines of the stored configuration, or none if there is no file yet. */
    static List<List<String>> read(Path file) {
        List<List<String>> out = new ArrayList<>();
        for (String line : DurableFile.readLines(file)) {
            List<String> words = new ArrayList<>();
            for (String w : line.split(" +")) {
                words.add(decode(w));
            }
            out.add(words);
        }
        return out;
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
        file.changed();
    }

    /** Writes what is pending and stops the writer. */
    void close() {
        file.close();
    }

    /** Writes the lines now (tests). */
    void write(List<String> lines) throws IOException {
        file.write(lines);
    }
}
