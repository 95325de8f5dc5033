package io.netfence.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.netfence.features.api.FeatureException;
import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.features.model.FeatureCatalog;
import io.netfence.features.model.FeatureDescriptor;
import io.netfence.net.api.NetService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Boots the real appliance container (Felix, SCR, ConfigAdmin, FileInstall, Gogo and every Netfence
 * bundle of the boot features) and checks what an operator relies on: everything resolves and
 * starts, the shell answers, deploy/ hot-deploys, features install and uninstall at runtime.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ContainerIT {
    @Inject
    BundleContext context;
    @Inject
    NetService net;
    @Inject
    FeatureService features;
    @Inject
    CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return Appliance.options("container");
    }

    @Test
    public void everyBundleOfTheBootFeaturesIsActive() {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
        for (String bsn : List.of("io.netfence.packet", "io.netfence.fib", "io.netfence.net", "io.netfence.port.pcap",
                "io.netfence.port.tap", "io.netfence.port.gen", "io.netfence.shell", "io.netfence.features", "io.netfence.crypto",
                "io.netfence.xfrm.api", "io.netfence.xfrm", "io.netfence.backend.software", "io.netfence.tc.api", "io.netfence.tc", "bcprov",
                "org.apache.felix.scr", "org.apache.felix.fileinstall", "org.apache.felix.configadmin")) {
            assertNotNull(bsn + " is installed", bundle(bsn));
        }
    }

    @Test
    public void tcRulesSurviveARestartOfTheTcBundleAndGoWithTheirLink() throws Exception {
        net.addLink(new io.netfence.net.api.LinkSpec("tcr0", "sink", 0, null, 0, List.of()));
        try (Shell sh = new Shell(processor)) {
            sh.run("tc qdisc add dev tcr0 clsact");
            sh.run("tc actions add action police rate 1mbit burst 10k conform-exceed drop/ok index 3");
            sh.run("tc filter add dev tcr0 ingress protocol ip prio 5 flower dst_ip 10.5.0.0/16 ip_proto udp dst_port 53"
                    + " action police index 3 action pass");
            sh.run("tc filter add dev tcr0 egress matchall action sample rate 100 group 1");
            String before = sh.run("tc filter show dev tcr0 ingress") + sh.run("tc filter show dev tcr0 egress")
                    + sh.run("tc actions show action police");
            assertTrue(before, before.contains("dst_ip 10.5.0.0/16") && before.contains("sample"));

            // Stopping the bundle writes tc.conf; starting it again replays it.
            Bundle tc = bundle("io.netfence.tc");
            tc.stop();
            tc.start();
            Await.until("tc is back", 10_000, () -> context.getServiceReference(io.netfence.tc.api.TcService.class) != null);
            String after = sh.run("tc filter show dev tcr0 ingress") + sh.run("tc filter show dev tcr0 egress")
                    + sh.run("tc actions show action police");
            assertEquals(before, after);
        } finally {
            net.deleteLink("tcr0");
        }
        try (Shell sh = new Shell(processor)) {
            assertEquals("a deleted link takes its qdisc along", "", sh.run("tc qdisc show dev tcr0").strip());
        }
    }

    @Test
    public void bothCryptoEnginesAreServices() throws Exception {
        var refs = context.getServiceReferences(io.netfence.crypto.CryptoEngine.class, null);
        List<Object> names = new ArrayList<>();
        for (var r : refs) {
            names.add(r.getProperty(io.netfence.crypto.CryptoEngine.NAME_PROPERTY));
        }
        assertTrue("jce, bc and openssl engines: " + names, names.containsAll(List.of("jce", "bc", "openssl")));
        // Bouncy Castle and the system OpenSSL (FFM) run inside Felix: a whole ESP payload round-trips.
        for (var r : refs) {
            io.netfence.crypto.CryptoEngine e = context.getService(r);
            var suite = io.netfence.crypto.EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128);
            var t = e.create(suite, new byte[16], new byte[32]);
            byte[] p = new byte[8 + 16 + 32 + 16];
            t.writeIv(p, 8, 1);
            t.seal(p, 0, 24, 32, 0, false);
            assertTrue(e.name(), t.open(p, 0, 24, 32, 0, false));
        }
    }

    @Test
    public void ipsecIsWiredIntoTheDataplane() throws Exception {
        var xfrm = context.getService(context.getServiceReference(io.netfence.xfrm.api.XfrmService.class));
        assertNotNull("the SAD/SPD service", xfrm);
        assertNotNull("the IPsec layer the dataplane calls",
                context.getServiceReference(io.netfence.net.spi.XfrmLayer.class));
        assertNotNull("the software backend",
                context.getServiceReferences(io.netfence.xfrm.spi.XfrmOffloadProvider.class, "(netfence.backend=software)"));
        var net = context.getService(context.getServiceReference(io.netfence.net.api.NetService.class));
        assertTrue("the xfrm link type: " + net.linkTypes(), net.linkTypes().contains("xfrm"));
    }

    @Test
    public void theShellPrintsLinksAsJson() throws Exception {
        try (Shell sh = new Shell(processor)) {
            String json = sh.run("ip -j link show").strip();
            assertTrue("JSON array: " + json, json.startsWith("[") && json.endsWith("]"));
            assertTrue("lo is listed: " + json, json.contains("\"ifname\":\"lo\""));
            sh.run("ip link add itest0 type sink");
            assertTrue(sh.run("ip link show itest0").contains("itest0"));
            try {
                sh.run("ip link add itest1 mtu 70000 type sink");
                fail("an MTU of 70000 must be refused");
            } catch (Exception e) {
                assertTrue(e.getMessage(), e.getMessage().contains("mtu"));
            }
            assertFalse("a refused command changes nothing", net.links().stream().anyMatch(l -> l.name().equals("itest1")));
            sh.run("ip link del itest0");
        }
    }

    @Test
    public void aJarDroppedInDeployIsInstalledUpdatedAndUninstalled() throws Exception {
        Path deploy = Path.of(System.getProperty("netfence.itest.deploy"));
        Path work = Path.of(System.getProperty("netfence.itest.work"));
        Path v1 = writeBundle(work.resolve("hot-1.jar"), "1.0.0");
        Path v2 = writeBundle(work.resolve("hot-2.jar"), "2.0.0");
        Path target = deploy.resolve("io.netfence.itest.hot.jar");

        Files.copy(v1, target, StandardCopyOption.REPLACE_EXISTING);
        Await.until("the dropped bundle is active", 15_000,
                () -> bundle("io.netfence.itest.hot") != null && bundle("io.netfence.itest.hot").getState() == Bundle.ACTIVE);
        assertEquals(new Version(1, 0, 0), bundle("io.netfence.itest.hot").getVersion());

        // A replaced jar is an update of the same bundle, not a second bundle.
        long id = bundle("io.netfence.itest.hot").getBundleId();
        Files.copy(v2, target.resolveSibling("hot.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(target.resolveSibling("hot.tmp"), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // FileInstall stops, updates, refreshes and starts again: wait for the whole sequence.
        Await.until("the bundle is updated to 2.0.0 and active again", 15_000,
                () -> bundle("io.netfence.itest.hot") != null && bundle("io.netfence.itest.hot").getVersion().getMajor() == 2
                        && bundle("io.netfence.itest.hot").getState() == Bundle.ACTIVE);
        assertEquals(id, bundle("io.netfence.itest.hot").getBundleId());
        assertEquals(Bundle.ACTIVE, bundle("io.netfence.itest.hot").getState());

        Files.delete(target);
        Await.until("the removed jar's bundle is uninstalled", 15_000, () -> bundle("io.netfence.itest.hot") == null);
    }

    @Test
    public void aConfigurationFileInDeployChangesTheWorkersLive() throws Exception {
        Path deploy = Path.of(System.getProperty("netfence.itest.deploy"));
        long serviceId = (Long) context.getServiceReference(NetService.class).getProperty("service.id");
        int before = net.workerCount();
        int wanted = before == 1 ? 2 : 1;
        Files.writeString(deploy.resolve("io.netfence.net.cfg"), "workers=" + wanted + "\n");
        try {
            Await.until("the worker count follows the file", 15_000, () -> net.workerCount() == wanted);
            assertEquals("the same service, not a restart", serviceId,
                    context.getServiceReference(NetService.class).getProperty("service.id"));
            assertEquals(wanted, net.workers().size());
        } finally {
            Files.delete(deploy.resolve("io.netfence.net.cfg"));
        }
    }

    @Test
    public void featuresInstallAndUninstallAtRuntime() throws Exception {
        FeatureInfo ports = features.feature("netfence-ports");
        assertTrue(ports.installed());
        assertTrue(net.linkTypes().contains("tap"));

        features.uninstall("netfence-ports");
        try {
            uninstalledPortsAreAbsentAndDeployBringsADriverBack();
        } finally {
            // Restore the boot set even when a check failed, so the other tests of this container see it.
            if (!features.feature("netfence-ports").installed()) {
                features.install("netfence-ports");
            }
        }
        Await.until("the drivers are back", 10_000, () -> net.linkTypes().containsAll(List.of("tap", "pcap", "gen", "sink")));
        assertTrue(features.feature("netfence-ports").installed());

        try {
            features.uninstall("netfence-runtime");
            fail("the runtime feature is essential");
        } catch (RuntimeException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("essential"));
        }
    }

    @Test
    public void aFeatureOthersNeedOrTheShellsFeatureIsNotUninstalled() throws Exception {
        // Without the check, the next start leaves most bundles unresolved and the shell gone.
        try {
            features.uninstall("netfence-dataplane");
            fail("the dataplane is needed by the other features");
        } catch (FeatureException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("feature netfence-dataplane is needed by "));
            assertTrue(e.getMessage(), e.getMessage().contains("feature netfence-shell (io.netfence.shell needs io.netfence.net.api of io.netfence.net)"));
            assertTrue(e.getMessage(), e.getMessage().endsWith("nothing was changed"));
        }
        assertTrue(features.feature("netfence-dataplane").installed());
        assertEquals(Bundle.ACTIVE, bundle("io.netfence.net").getState());
        try (Shell sh = new Shell(processor)) {
            try {
                sh.run("feature uninstall netfence-shell");
                fail("the shell's own feature cannot go: nothing could install a feature again");
            } catch (Exception e) {
                assertTrue(e.getMessage(), e.getMessage().contains("feature netfence-shell provides the shell"));
            }
            assertTrue(sh.run("feature list").contains("netfence-shell"));
        }
        assertEquals(Bundle.ACTIVE, bundle("io.netfence.shell").getState());
    }

    /**
     * The dataplane feature ships a configuration (io.netfence.net: workers 0, one per core). The
     * feature runtime creates the configurations of installed features that are missing: when the
     * feature is installed and when the runtime starts with it installed (which is how a boot
     * feature's configuration appears). An operator's configuration is never overwritten.
     */
    @Test
    public void theDataplaneFeatureShipsItsWorkerConfiguration() throws Exception {
        FeatureDescriptor d = new FeatureCatalog(Appliance.DIST.resolve("features"), Appliance.DIST.resolve("system"))
                .load().get("netfence-dataplane");
        assertEquals(0, ((Number) d.configurations().get("io.netfence.net").get("workers")).intValue());
        ConfigurationAdmin ca = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        // Start from none: the deploy/ test replaces and removes this PID's configuration.
        deleteConfiguration(ca, "io.netfence.net");
        restartFeatureRuntime();
        Await.until("the feature's configuration is created", 10_000, () -> properties(ca, "io.netfence.net") != null);
        Dictionary<String, Object> p = properties(ca, "io.netfence.net");
        assertEquals("netfence-dataplane", p.get("netfence.feature"));
        assertEquals(0, ((Number) p.get("workers")).intValue());

        // An operator's value wins over the feature's.
        Dictionary<String, Object> mine = new Hashtable<>();
        mine.put("workers", 1);
        ca.getConfiguration("io.netfence.net", "?").update(mine);
        restartFeatureRuntime();
        Await.until("the operator's value stays", 10_000, () -> net.workerCount() == 1);
        assertEquals(1, ((Number) properties(ca, "io.netfence.net").get("workers")).intValue());
        assertNull(properties(ca, "io.netfence.net").get("netfence.feature"));

        deleteConfiguration(ca, "io.netfence.net");
        restartFeatureRuntime();
        Await.until("the feature's configuration is back", 10_000, () -> properties(ca, "io.netfence.net") != null
                && "netfence-dataplane".equals(properties(ca, "io.netfence.net").get("netfence.feature")));
    }

    private void restartFeatureRuntime() throws Exception {
        Bundle runtime = bundle("io.netfence.features");
        runtime.stop();
        runtime.start();
        Await.until("the feature service is back", 10_000, () -> context.getServiceReference(FeatureService.class) != null);
    }

    private static Dictionary<String, Object> properties(ConfigurationAdmin ca, String pid) {
        try {
            org.osgi.service.cm.Configuration[] found = ca.listConfigurations("(service.pid=" + pid + ")");
            return found == null ? null : found[0].getProperties();
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteConfiguration(ConfigurationAdmin ca, String pid) throws Exception {
        org.osgi.service.cm.Configuration[] found = ca.listConfigurations("(service.pid=" + pid + ")");
        for (org.osgi.service.cm.Configuration c : found == null ? new org.osgi.service.cm.Configuration[0] : found) {
            c.delete();
        }
    }

    private void uninstalledPortsAreAbsentAndDeployBringsADriverBack() throws Exception {
        Await.until("the driver services are gone", 10_000, () -> !net.linkTypes().contains("tap"));
        assertNull(bundle("io.netfence.port.tap"));
        assertFalse(features.feature("netfence-ports").installed());
        try (Shell sh = new Shell(processor)) {
            try {
                sh.run("ip link add nodrv0 type gen");
                fail("a link of a type whose driver is absent must be refused");
            } catch (Exception e) {
                assertTrue(e.getMessage(), e.getMessage().contains("gen"));
            }
            assertTrue(sh.run("feature list").contains("netfence-ports"));
        }

        // A bundle dropped into deploy/ brings a driver back on its own.
        Path deploy = Path.of(System.getProperty("netfence.itest.deploy"));
        Path genDir = versionDir(Appliance.DIST.resolve("system/io/netfence/io.netfence.port.gen"));
        Path genJar = genDir.resolve("io.netfence.port.gen-" + genDir.getFileName() + ".jar");
        Files.copy(genJar, deploy.resolve("port.gen.jar"));
        Await.until("the gen driver registers from deploy/", 15_000, () -> net.linkTypes().contains("gen"));
        Files.delete(deploy.resolve("port.gen.jar"));
        Await.until("the gen driver leaves with its jar", 15_000, () -> !net.linkTypes().contains("gen"));
    }

    /** The version folder of an artifact in system/ (a Maven repository layout, with metadata files beside it). */
    private static Path versionDir(Path artifactDir) throws IOException {
        try (var s = Files.list(artifactDir)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static Path writeBundle(Path file, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "io.netfence.itest.hot");
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Name", "Hot deploy probe " + version);
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        return file;
    }
}
