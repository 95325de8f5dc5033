package io.netfence.features.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureDescriptorTest {
    static final String FEATURE = """
            {
              "id": "io.netfence:netfence-demo:1.0.0",
              "name": "Demo",
              "description": "A demo feature",
              "categories": ["essential"],
              "bundles": [
                "org.example:plain:1.0",
                { "id": "io.netfence:io.netfence.net:0.1.0-SNAPSHOT", "start-order": 25 }
              ],
              "configurations": { "io.netfence.net": { "workers": 2 } }
            }""";

    @Test
    void readsTheOsgiFeatureFormat() {
        FeatureDescriptor d = FeatureDescriptor.parse("netfence-demo", FEATURE);
        assertEquals("netfence-demo", d.name());
        assertEquals("Demo", d.title());
        assertTrue(d.essential());
        assertEquals(List.of(new BundleRef("org.example:plain:1.0", 1), new BundleRef("io.netfence:io.netfence.net:0.1.0-SNAPSHOT", 25)),
                d.bundles());
        assertEquals("io/netfence/io.netfence.net/0.1.0-SNAPSHOT/io.netfence.net-0.1.0-SNAPSHOT.jar", d.bundles().get(1).repositoryPath());
        assertEquals(2L, d.configurations().get("io.netfence.net").get("workers"));
    }

    @Test
    void refusesMalformedDescriptors() {
        assertThrows(IllegalArgumentException.class, () -> FeatureDescriptor.parse("x", "[]"));
        assertThrows(IllegalArgumentException.class, () -> FeatureDescriptor.parse("x", "{\"bundles\": []}"));
        assertThrows(IllegalArgumentException.class, () -> FeatureDescriptor.parse("x", "{\"id\": \"a:b:1\"}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureDescriptor.parse("x", "{\"id\": \"a:b:1\", \"bundles\": [\"nocolons\"]}"));
        assertTrue(e.getMessage().contains("nocolons"), e.getMessage());
    }

    @Test
    void catalogFindsDescriptorsAndJars(@TempDir Path dir) throws IOException {
        Path features = Files.createDirectories(dir.resolve("features"));
        Path system = Files.createDirectories(dir.resolve("system"));
        Files.writeString(features.resolve("netfence-demo.json"), FEATURE);
        FeatureCatalog catalog = new FeatureCatalog(features, system);
        FeatureDescriptor d = catalog.load().get("netfence-demo");
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> catalog.verify(d));
        assertTrue(missing.getMessage().contains("org.example:plain:1.0"), missing.getMessage());
        for (BundleRef b : d.bundles()) {
            Path jar = system.resolve(b.repositoryPath());
            Files.createDirectories(jar.getParent());
            Files.write(jar, new byte[] {1});
        }
        catalog.verify(d);
        assertEquals(system.resolve(d.bundles().get(0).repositoryPath()), catalog.jar(d.bundles().get(0)));
    }

    @Test
    void stateSurvivesAndDefaultsToTheBootList(@TempDir Path dir) {
        FeatureState s = new FeatureState(dir.resolve("sub/features.state"));
        assertEquals(Set.of("a", "b"), s.read(List.of("a", "b")));
        s.write(new java.util.LinkedHashSet<>(List.of("a", "c")), List.of("a", "b"));
        FeatureState again = new FeatureState(dir.resolve("sub/features.state"));
        Set<String> read = again.read(List.of("a", "b"));
        assertEquals(Set.of("a", "c"), read, "b was offered and uninstalled: it stays uninstalled");
        assertFalse(read.contains("b"));
    }

    @Test
    void aBootFeatureAddedLaterIsInstalledOnceOnAnExistingDataFolder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("features.state");
        FeatureState s = new FeatureState(file);
        s.write(new java.util.LinkedHashSet<>(List.of("a", "b")), List.of("a", "b"));
        // a newer version boots a, b and the new t
        assertEquals(List.of("a", "b", "t"), List.copyOf(s.read(List.of("a", "b", "t"))));
        s.write(new java.util.LinkedHashSet<>(List.of("a", "b", "t")), List.of("a", "b", "t"));
        // the operator uninstalls t: it is not brought back
        s.write(new java.util.LinkedHashSet<>(List.of("a", "b")), List.of("a", "b", "t"));
        assertEquals(Set.of("a", "b"), s.read(List.of("a", "b", "t")));

        // a file from before offers were recorded: the boot features it lacks are installed once
        Files.writeString(file, "# features installed\na\n");
        assertEquals(List.of("a", "b", "t"), List.copyOf(s.read(List.of("a", "b", "t"))));
    }
}
