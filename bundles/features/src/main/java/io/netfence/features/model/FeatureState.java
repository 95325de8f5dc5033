package io.netfence.features.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which features are installed, kept in a small text file (one name a line) so an operator's
 * {@code feature install|uninstall} survives a restart. Written atomically (temp file + rename).
 */
public final class FeatureState {
    private final Path file;

    public FeatureState(Path file) {
        this.file = file;
    }

    /** The recorded set, or {@code defaults} when nothing was recorded yet (first boot). */
    public synchronized Set<String> read(List<String> defaults) {
        if (!Files.isRegularFile(file)) {
            return new LinkedHashSet<>(defaults);
        }
        try {
            Set<String> out = new LinkedHashSet<>();
            for (String line : Files.readAllLines(file)) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    out.add(s);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public synchronized void write(Set<String> installed) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            StringBuilder sb = new StringBuilder("# features installed in this appliance; edited by 'feature install|uninstall'\n");
            for (String s : installed) {
                sb.append(s).append('\n');
            }
            Files.writeString(tmp, sb);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
