package io.netfence.features.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which features are installed, kept in a small text file (one name a line) so an operator's
 * {@code feature install|uninstall} survives a restart, and which boot features were already
 * offered (lines {@code boot-offered NAME}): a boot feature a newer version adds is installed at
 * the next start on an existing data folder, while one the operator uninstalled stays uninstalled.
 * Written atomically (temp file + rename).
 */
public final class FeatureState {
    private static final String OFFERED = "boot-offered ";

    private final Path file;

    public FeatureState(Path file) {
        this.file = file;
    }

    /**
     * The features to have installed: the recorded set plus the boot features never offered
     * before; {@code boot} alone on the first start. A file written before offers were recorded
     * counts as having offered none, so every boot feature it lacks is installed once.
     */
    public synchronized Set<String> read(List<String> boot) {
        if (!Files.isRegularFile(file)) {
            return new LinkedHashSet<>(boot);
        }
        Set<String> installed = new LinkedHashSet<>();
        Set<String> offered = new LinkedHashSet<>();
        parse(installed, offered);
        for (String b : boot) {
            if (!offered.contains(b)) {
                installed.add(b);
            }
        }
        return installed;
    }

    /** Records {@code installed}, and {@code boot} as offered (with those offered before). */
    public synchronized void write(Set<String> installed, Collection<String> boot) {
        Set<String> offered = new LinkedHashSet<>();
        if (Files.isRegularFile(file)) {
            parse(new LinkedHashSet<>(), offered);
        }
        offered.addAll(boot);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            StringBuilder sb = new StringBuilder("# features installed in this appliance; edited by 'feature install|uninstall'\n");
            for (String s : installed) {
                sb.append(s).append('\n');
            }
            sb.append("# boot features already offered: one added to the boot list later is installed once\n");
            for (String s : offered) {
                sb.append(OFFERED).append(s).append('\n');
            }
            Files.writeString(tmp, sb);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void parse(Set<String> installed, Set<String> offered) {
        try {
            for (String line : Files.readAllLines(file)) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                if (s.startsWith(OFFERED)) {
                    offered.add(s.substring(OFFERED.length()).strip());
                } else {
                    installed.add(s);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
