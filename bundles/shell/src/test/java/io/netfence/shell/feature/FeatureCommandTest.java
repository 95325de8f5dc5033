package io.netfence.shell.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.features.api.FeatureException;
import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FeatureCommandTest {

    /** Features in memory; install/uninstall flip the state and are recorded. */
    static final class FakeFeatures implements FeatureService {
        final Map<String, FeatureInfo> features = new TreeMap<>();
        final List<String> calls = new ArrayList<>();

        void add(String name, String title, boolean installed, boolean boot, String... bundles) {
            features.put(name, new FeatureInfo(name, "io.netfence:" + name + ":0.1.0", title, title + ", described.",
                    List.of(bundles), installed, boot));
        }

        @Override
        public List<FeatureInfo> features() {
            return List.copyOf(features.values());
        }

        @Override
        public FeatureInfo feature(String name) {
            FeatureInfo f = features.get(name);
            if (f == null) {
                throw new FeatureException("No feature named \"" + name + "\": expected one of " + features.keySet());
            }
            return f;
        }

        private FeatureInfo flip(String name, boolean installed) {
            FeatureInfo f = feature(name);
            FeatureInfo changed = new FeatureInfo(f.name(), f.id(), f.title(), f.description(), f.bundles(), installed, f.boot());
            features.put(name, changed);
            return changed;
        }

        @Override
        public FeatureInfo install(String name) {
            calls.add("install " + name);
            if (name.equals("broken")) {
                throw new FeatureException("Bundle io.netfence.broken could not be resolved: missing package x.y.");
            }
            return flip(name, true);
        }

        @Override
        public FeatureInfo uninstall(String name) {
            calls.add("uninstall " + name);
            return flip(name, false);
        }
    }

    private final FakeFeatures service = new FakeFeatures();
    private final FeatureCommand feature = new FeatureCommand(service);

    FeatureCommandTest() {
        service.add("netfence-shell", "iproute2-style shell", true, true, "io.netfence.shell");
        service.add("netfence-ipsec", "IPsec \"ESP\" dataplane", false, false, "io.netfence.crypto", "io.netfence.xfrm");
        service.add("broken", "Does not resolve", false, false, "io.netfence.broken");
    }

    @Test
    void listIsATable() {
        String expected = String.join("\n",
                "NAME            INSTALLED  BOOT  TITLE",
                "broken          no         no    Does not resolve",
                "netfence-ipsec  no         no    IPsec \"ESP\" dataplane",
                "netfence-shell  yes        yes   iproute2-style shell");
        assertEquals(expected, feature.execute());
        assertEquals(expected, feature.execute("list"));
        assertEquals(expected, feature.execute("l"));
    }

    @Test
    void listAsJson() {
        List<Object> list = TestJson.array(feature.execute("-j", "list"));
        assertEquals(3, list.size());
        assertEquals(Map.of("name", "netfence-ipsec", "id", "io.netfence:netfence-ipsec:0.1.0", "title", "IPsec \"ESP\" dataplane",
                "description", "IPsec \"ESP\" dataplane, described.", "installed", false, "boot", false,
                "bundles", List.of("io.netfence.crypto", "io.netfence.xfrm")), list.get(1));
        assertEquals(TestJson.parse(feature.execute("-j")), TestJson.parse(feature.execute("-j", "-p")));
    }

    @Test
    void info() {
        assertEquals(String.join("\n",
                "name:         netfence-ipsec",
                "id:           io.netfence:netfence-ipsec:0.1.0",
                "title:        IPsec \"ESP\" dataplane",
                "description:  IPsec \"ESP\" dataplane, described.",
                "installed:    no",
                "boot:         no",
                "bundles:      io.netfence.crypto",
                "              io.netfence.xfrm"), feature.execute("info", "netfence-ipsec"));
        assertEquals("netfence-shell", TestJson.object(TestJson.parse(feature.execute("-j", "info", "netfence-shell"))).get("name"));
    }

    @Test
    void installAndUninstall() {
        assertEquals("Feature netfence-ipsec installed (2 bundles).", feature.execute("install", "netfence-ipsec"));
        assertEquals("Feature netfence-ipsec is already installed.", feature.execute("install", "netfence-ipsec"));
        assertEquals("Feature netfence-ipsec uninstalled.", feature.execute("uninstall", "netfence-ipsec"));
        assertEquals(List.of("install netfence-ipsec", "uninstall netfence-ipsec"), service.calls);
    }

    @Test
    void errorsNameTheWordAndChangeNothing() {
        assertError("Error: No feature named \"nope\": expected one of [broken, netfence-ipsec, netfence-shell]", "install", "nope");
        assertError("Error: \"NAME\" argument is required: expected feature install NAME (feature list shows the names)", "install");
        assertError("Error: argument \"extra\" is wrong: expected feature info NAME", "info", "netfence-shell", "extra");
        assertError("Error: feature \"netfence-ipsec\" is not installed: expected an installed feature (feature list marks them)",
                "uninstall", "netfence-ipsec");
        assertError("Error: command \"frob\" is unknown: expected one of list, info, install, uninstall, help", "frob");
        assertError("Error: option \"-x\" is unknown: expected one of -j[son], -p[retty], -h[elp]", "-x");
        assertEquals(List.of(), service.calls);
        CommandException e = assertThrows(CommandException.class, () -> feature.execute("install", "broken"));
        assertEquals("Error: Bundle io.netfence.broken could not be resolved: missing package x.y.", e.getMessage());
    }

    private void assertError(String message, String... words) {
        CommandException e = assertThrows(CommandException.class, () -> feature.execute(words));
        assertEquals(message, e.getMessage());
    }

    @Test
    void help() {
        assertEquals(FeatureCommand.HELP, feature.execute("help"));
        assertEquals(FeatureCommand.HELP, feature.execute("-h"));
        assertTrue(FeatureCommand.HELP.startsWith("Usage: feature"));
        assertTrue(FeatureCommand.HELP.contains("Examples:"));
    }
}
