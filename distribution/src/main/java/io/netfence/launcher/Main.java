package io.netfence.launcher;

import io.netfence.features.model.FeatureCatalog;
import io.netfence.features.model.FeatureDescriptor;
import io.netfence.features.model.FeatureInstaller;
import io.netfence.features.model.FeatureState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Starts the appliance: Felix with start levels, the features recorded as installed (the boot set on
 * first start, and boot features added since the data folder was last used), then either an interactive Gogo/JLine console, one command ({@code -c}) or a batch
 * file ({@code -b}). The appliance's home (bin/, lib/, system/, features/, etc/, deploy/) comes from
 * {@code -Dnetfence.home}; its state (data/) from {@code --data} or {@code -Dnetfence.data}.
 */
public final class Main {
    /** The shell command the launcher waits for before running -c/-b commands. */
    private static final String READY_FILTER = "(&(osgi.command.scope=netfence)(osgi.command.function=ip))";
    private static final String CONSOLE_FEATURE = "netfence-console";

    private Main() {
    }

    public static void main(String[] args) {
        // Gogo replaces System.in/out/err with thread-dispatching streams; keep the real ones.
        InputStream realIn = System.in;
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        LauncherOptions opts;
        try {
            opts = LauncherOptions.parse(args);
        } catch (IllegalArgumentException e) {
            realErr.println("netfence: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opts.help()) {
            realOut.println(LauncherOptions.USAGE);
            return;
        }
        int code;
        try {
            code = new Main().run(opts, realIn, realOut, realErr);
        } catch (Exception e) {
            realErr.println("netfence: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        realOut.flush();
        realErr.flush();
        System.exit(code);
    }

    private int run(LauncherOptions opts, InputStream in, PrintStream out, PrintStream err) throws Exception {
        Path home = Path.of(System.getProperty("netfence.home", ".")).toAbsolutePath().normalize();
        Path data = (opts.dataDir() != null ? opts.dataDir() : Path.of(System.getProperty("netfence.data", home.resolve("data").toString())))
                .toAbsolutePath().normalize();
        Files.createDirectories(data);
        Logging.configure(data.resolve("log"), err);

        Map<String, String> props = frameworkProperties(home, data, opts);
        FeatureCatalog catalog = new FeatureCatalog(home.resolve("features"), home.resolve("system"));
        FeatureInstaller installer = new FeatureInstaller(catalog);
        FeatureState state = new FeatureState(Path.of(props.get("netfence.features.state")));
        List<String> boot = Arrays.stream(props.getOrDefault("netfence.features.boot", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (lib/ is incomplete)"));
        Map<String, Object> felixConfig = new HashMap<>(props);
        felixConfig.put("felix.log.logger", new FelixLogBridge());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Framework fw = factory.newFramework((Map) felixConfig);
        fw.init();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(fw), "netfence-shutdown"));
        BundleContext ctx = fw.getBundleContext();

        Map<String, FeatureDescriptor> features = catalog.load();
        Set<String> installed = state.read(boot);
        for (String name : installed) {
            FeatureDescriptor d = features.get(name);
            if (d == null) {
                err.println("netfence: feature \"" + name + "\" recorded as installed has no descriptor in " + catalog.featuresDir() + "; skipped");
                continue;
            }
            installer.install(ctx, d, true);
        }
        // Records the boot list as offered: a boot feature added in a later version is installed
        // once on this data folder, and one the operator uninstalls afterwards stays uninstalled.
        state.write(installed, boot);
        List<Bundle> console = new ArrayList<>();
        if (opts.interactive()) {
            FeatureDescriptor c = features.get(CONSOLE_FEATURE);
            if (c == null) {
                throw new IllegalStateException("the interactive console needs features/" + CONSOLE_FEATURE + ".json");
            }
            installer.install(ctx, c, false);
            for (var ref : c.bundles()) {
                console.add(ctx.getBundle(installer.location(ref)));
            }
        }

        fw.start();
        awaitStartLevel(fw);

        if (opts.interactive()) {
            startConsole(console);
            FrameworkEvent ev = fw.waitForStop(0);
            return ev.getType() == FrameworkEvent.ERROR ? 1 : 0;
        }
        int code = 0;
        if (opts.command() != null || opts.batch() != null) {
            try (ShellRunner shell = ShellRunner.open(ctx, READY_FILTER, in, out, err)) {
                code = opts.command() != null ? shell.runOne(opts.command()) : shell.runBatch(opts.batch(), opts.force());
            }
        }
        if (opts.serve() && code == 0) {
            // The shutdown hook stops the framework on SIGTERM/SIGINT; until then the dataplane runs.
            out.println("netfence: serving (data " + data + "); stop with SIGTERM or Ctrl-C");
            out.flush();
            FrameworkEvent ev = fw.waitForStop(0);
            return ev.getType() == FrameworkEvent.ERROR ? 1 : 0;
        }
        stopQuietly(fw);
        return code;
    }

    /**
     * Reads etc/netfence.properties, expands ${netfence.home} and ${netfence.data}, and lets -Dkey=value
     * system properties override any entry.
     */
    private static Map<String, String> frameworkProperties(Path home, Path data, LauncherOptions opts) throws IOException {
        Properties p = new Properties();
        Path file = home.resolve("etc/netfence.properties");
        if (Files.isRegularFile(file)) {
            try (var r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        Map<String, String> vars = Map.of("netfence.home", home.toString(), "netfence.data", data.toString());
        Map<String, String> out = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k, expand(p.getProperty(k), vars));
        }
        for (String k : System.getProperties().stringPropertyNames()) {
            if (out.containsKey(k) || k.startsWith("netfence.") || k.startsWith("felix.") || k.startsWith("org.osgi.")) {
                out.put(k, System.getProperty(k));
            }
        }
        out.put("netfence.home", home.toString());
        out.put("netfence.data", data.toString());
        out.putIfAbsent("netfence.features.dir", home.resolve("features").toString());
        out.putIfAbsent("netfence.system.dir", home.resolve("system").toString());
        out.putIfAbsent("netfence.features.state", data.resolve("features.state").toString());
        out.putIfAbsent(Constants.FRAMEWORK_STORAGE, data.resolve("cache").toString());
        // Bundles come from features and deploy/ at every start, so the cache never serves stale jars.
        out.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        out.putIfAbsent(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "100");
        out.putIfAbsent("felix.cm.dir", data.resolve("config").toString());
        out.putIfAbsent("gosh.home", home.toString());
        if (!opts.interactive()) {
            out.put("gosh.args", "--nointeractive");
        }
        return out;
    }

    private static String expand(String value, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = vars.getOrDefault(m.group(1), System.getProperty(m.group(1), m.group(0)));
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Felix raises the start level on its own thread; STARTED is posted when it is reached. */
    private static void awaitStartLevel(Framework fw) throws InterruptedException {
        var startLevel = fw.adapt(org.osgi.framework.startlevel.FrameworkStartLevel.class);
        int target = Integer.parseInt(String.valueOf(fw.getBundleContext().getProperty(Constants.FRAMEWORK_BEGINNING_STARTLEVEL)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (startLevel.getStartLevel() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /**
     * JLine picks its terminal provider through the thread context class loader; if that is not the
     * jline bundle's loader it silently falls back to a dumb terminal (no history, no completion).
     * gogo.jline creates the terminal on the thread that starts it, so start it from here.
     */
    private static void startConsole(List<Bundle> console) throws Exception {
        ClassLoader saved = Thread.currentThread().getContextClassLoader();
        try {
            for (Bundle b : console) {
                if (FeatureInstaller.isFragment(b)) {
                    continue;
                }
                if ("org.jline".equals(b.getSymbolicName())) {
                    b.start();
                    BundleWiring w = b.adapt(BundleWiring.class);
                    if (w != null) {
                        Thread.currentThread().setContextClassLoader(w.getClassLoader());
                    }
                }
            }
            for (Bundle b : console) {
                if (!FeatureInstaller.isFragment(b) && b.getState() != Bundle.ACTIVE) {
                    b.start();
                }
            }
        } finally {
            Thread.currentThread().setContextClassLoader(saved);
        }
    }

    private static void stopQuietly(Framework fw) {
        try {
            if ((fw.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                fw.stop();
                fw.waitForStop(30_000);
            }
        } catch (Exception ignored) {
            // Shutting down: nothing useful to do with a failure here.
        }
    }

    static boolean hasService(BundleContext ctx, String filter) {
        try {
            ServiceReference<?>[] refs = ctx.getServiceReferences((String) null, filter);
            return refs != null && refs.length > 0;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
