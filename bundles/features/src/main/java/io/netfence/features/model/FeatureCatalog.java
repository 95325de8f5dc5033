package io.netfence.features.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The features an appliance can install: every {@code *.json} in the features folder, with their
 * bundle jars looked up in a Maven-layout {@code system/} folder shipped with the distribution.
 */
public final class FeatureCatalog {
    private final Path featuresDir;
    private final Path systemDir;

    public FeatureCatalog(Path featuresDir, Path systemDir) {
        this.featuresDir = featuresDir;
        this.systemDir = systemDir;
    }

    /** Reads the folder afresh (descriptors may be added while the appliance runs). */
    public Map<String, FeatureDescriptor> load() {
        Map<String, FeatureDescriptor> out = new TreeMap<>();
        if (!Files.isDirectory(featuresDir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(featuresDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                FeatureDescriptor d = FeatureDescriptor.read(f);
                out.put(d.name(), d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read features from " + featuresDir, e);
        }
        return out;
    }

    /** The jar of a bundle, which must exist. */
    public Path jar(BundleRef ref) {
        Path p = systemDir.resolve(ref.repositoryPath());
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("bundle " + ref.id() + " is not in " + systemDir + " (expected " + p + ")");
        }
        return p;
    }

    /** Checks that every bundle of the feature is present, so an install cannot fail half way for that reason. */
    public void verify(FeatureDescriptor d) {
        for (BundleRef b : d.bundles()) {
            jar(b);
        }
    }

    public Path featuresDir() {
        return featuresDir;
    }

    public List<Path> descriptorFiles() {
        try (Stream<Path> files = Files.list(featuresDir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
