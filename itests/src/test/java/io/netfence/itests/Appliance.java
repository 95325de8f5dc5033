package io.netfence.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.netfence.features.model.BundleRef;
import io.netfence.features.model.FeatureCatalog;
import io.netfence.features.model.FeatureDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import org.ops4j.pax.exam.Option;

/**
 * Pax Exam options that boot the appliance exactly as the launcher does: the boot features read
 * from the assembled distribution's descriptors, each bundle at its start level, with a private
 * deploy/ and data/ folder per test class.
 */
final class Appliance {
    static final Path DIST = Path.of(System.getProperty("netfence.dist", "../distribution/target/netfence")).toAbsolutePath().normalize();

    private Appliance() {
    }

    static Option[] options(String testName) {
        Path work = Path.of(System.getProperty("netfence.itest.dir", "target/itest")).toAbsolutePath().resolve(testName);
        Path deploy = work.resolve("deploy");
        Path data = work.resolve("data");
        try {
            deleteTree(work);
            Files.createDirectories(deploy);
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FeatureCatalog catalog = new FeatureCatalog(DIST.resolve("features"), DIST.resolve("system"));
        Map<String, FeatureDescriptor> features = catalog.load();
        Properties etc = new Properties();
        try (InputStream in = Files.newInputStream(DIST.resolve("etc/netfence.properties"))) {
            etc.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the distribution is not assembled at " + DIST, e);
        }
        String bootList = etc.getProperty("netfence.features.boot");
        List<Option> opts = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String name : Arrays.stream(bootList.split(",")).map(String::strip).toList()) {
            FeatureDescriptor d = features.get(name);
            if (d == null) {
                throw new IllegalStateException("boot feature " + name + " has no descriptor in " + DIST);
            }
            for (BundleRef ref : d.bundles()) {
                if (seen.contains(ref.id())) {
                    continue;
                }
                seen.add(ref.id());
                Path jar = catalog.jar(ref);
                opts.add(bundle(jar.toUri().toString()).startLevel(Math.max(1, ref.startOrder())).start(!isFragment(jar)));
            }
        }
        opts.add(junitBundles());
        opts.add(frameworkStartLevel(100));
        opts.add(frameworkProperty("netfence.home").value(DIST.toString()));
        opts.add(frameworkProperty("netfence.data").value(data.toString()));
        opts.add(frameworkProperty("netfence.features.dir").value(DIST.resolve("features").toString()));
        opts.add(frameworkProperty("netfence.system.dir").value(DIST.resolve("system").toString()));
        opts.add(frameworkProperty("netfence.features.state").value(data.resolve("features.state").toString()));
        opts.add(frameworkProperty("netfence.features.boot").value(bootList));
        opts.add(frameworkProperty("felix.fileinstall.dir").value(deploy.toString()));
        opts.add(frameworkProperty("felix.fileinstall.poll").value("200"));
        opts.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        opts.add(frameworkProperty("felix.fileinstall.start.level").value("80"));
        opts.add(frameworkProperty("felix.cm.dir").value(data.resolve("config").toString()));
        opts.add(frameworkProperty("gosh.args").value("--nointeractive"));
        opts.add(systemProperty("netfence.itest.deploy").value(deploy.toString()));
        opts.add(systemProperty("netfence.itest.work").value(work.toString()));
        return opts.toArray(Option[]::new);
    }

    private static boolean isFragment(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
