package io.netfence.features.internal;

import io.netfence.features.api.FeatureException;
import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.features.model.BundleRef;
import io.netfence.features.model.FeatureCatalog;
import io.netfence.features.model.FeatureDescriptor;
import io.netfence.features.model.FeatureInstaller;
import io.netfence.features.model.FeatureState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.resource.Namespace;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime side of features. Where things are comes from framework properties the launcher sets
 * ({@value #FEATURES_DIR}, {@value #SYSTEM_DIR}, {@value #STATE_FILE}, {@value #BOOT}). Configurations
 * of installed features are created when missing, never overwritten: an operator's change wins.
 */
@Component(service = FeatureService.class, immediate = true)
public final class FeatureServiceImpl implements FeatureService {
    public static final String FEATURES_DIR = "netfence.features.dir";
    public static final String SYSTEM_DIR = "netfence.system.dir";
    public static final String STATE_FILE = "netfence.features.state";
    public static final String BOOT = "netfence.features.boot";
    /** Marks configurations a feature created, so uninstall removes exactly those. */
    static final String FEATURE_PROPERTY = "netfence.feature";

    private static final Logger LOG = LoggerFactory.getLogger(FeatureServiceImpl.class);
    /** The shell's feature command: the only way to install a feature again. */
    private static final Filter FEATURE_COMMAND = filter("(&(osgi.command.scope=netfence)(osgi.command.function=feature))");

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final FeatureCatalog catalog;
    private final FeatureInstaller installer;
    private final FeatureState state;
    private final List<String> boot;

    @Activate
    public FeatureServiceImpl(BundleContext context, @Reference ConfigurationAdmin configAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.catalog = new FeatureCatalog(Path.of(property(context, FEATURES_DIR, "features")),
                Path.of(property(context, SYSTEM_DIR, "system")));
        this.installer = new FeatureInstaller(catalog);
        this.state = new FeatureState(Path.of(property(context, STATE_FILE, "data/features.state")));
        this.boot = Arrays.stream(property(context, BOOT, "").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (FeatureDescriptor d : catalog.load().values()) {
            if (installer.isInstalled(context, d)) {
                applyConfigurations(d);
            }
        }
    }

    private static Filter filter(String f) {
        try {
            return FrameworkUtil.createFilter(f);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String property(BundleContext ctx, String key, String dflt) {
        String v = ctx.getProperty(key);
        return v == null ? dflt : v;
    }

    @Override
    public synchronized List<FeatureInfo> features() {
        List<FeatureInfo> out = new ArrayList<>();
        for (FeatureDescriptor d : catalog.load().values()) {
            out.add(info(d));
        }
        return out;
    }

    @Override
    public synchronized FeatureInfo feature(String name) {
        return info(descriptor(name));
    }

    @Override
    public synchronized FeatureInfo install(String name) {
        FeatureDescriptor d = descriptor(name);
        if (installer.isInstalled(context, d)) {
            return info(d);
        }
        try {
            catalog.verify(d);
        } catch (IllegalStateException e) {
            throw new FeatureException("feature " + name + " cannot be installed: " + e.getMessage());
        }
        try {
            installer.install(context, d, true);
        } catch (BundleException | RuntimeException e) {
            throw new FeatureException("feature " + name + " could not be installed, nothing was changed: " + e.getMessage(), e);
        }
        applyConfigurations(d);
        Set<String> installed = state.read(boot);
        installed.add(name);
        state.write(installed, boot);
        LOG.info("feature {} installed", name);
        return info(d);
    }

    @Override
    public synchronized FeatureInfo uninstall(String name) {
        FeatureDescriptor d = descriptor(name);
        if (!installer.isInstalled(context, d)) {
            throw new FeatureException("feature " + name + " is not installed");
        }
        if (d.essential()) {
            throw new FeatureException("feature " + name + " is essential to the appliance and cannot be uninstalled");
        }
        List<FeatureDescriptor> keep = new ArrayList<>();
        for (FeatureDescriptor other : catalog.load().values()) {
            if (!other.name().equals(name) && installer.isInstalled(context, other)) {
                keep.add(other);
            }
        }
        if (needsSelf(d)) {
            throw new FeatureException("feature " + name + " contains the feature runtime itself and cannot be uninstalled");
        }
        refuseIfNeeded(d, keep);
        deleteConfigurations(d);
        try {
            installer.uninstall(context, d, keep);
        } catch (BundleException | RuntimeException e) {
            throw new FeatureException("feature " + name + " could not be uninstalled: " + e.getMessage(), e);
        }
        Set<String> installed = state.read(boot);
        installed.remove(name);
        state.write(installed, boot);
        LOG.info("feature {} uninstalled", name);
        return info(d);
    }

    /**
     * Refuses, changing nothing, when a bundle that would go is still needed: by a bundle that
     * stays (a mandatory import or requirement wired to it; the next start would leave the
     * dependant unresolved), or because it provides the {@code feature} command, without which no
     * feature could be installed again.
     */
    private void refuseIfNeeded(FeatureDescriptor d, List<FeatureDescriptor> keep) {
        Set<String> kept = new HashSet<>();
        for (FeatureDescriptor f : keep) {
            f.bundles().forEach(r -> kept.add(installer.location(r)));
        }
        Set<Bundle> going = new HashSet<>();
        for (BundleRef r : d.bundles()) {
            String loc = installer.location(r);
            Bundle b = context.getBundle(loc);
            if (b != null && !kept.contains(loc)) {
                going.add(b);
            }
        }
        for (Bundle b : going) {
            ServiceReference<?>[] commands = b.getRegisteredServices();
            for (ServiceReference<?> ref : commands == null ? new ServiceReference<?>[0] : commands) {
                if (FEATURE_COMMAND.match(ref)) {
                    throw new FeatureException("feature " + d.name() + " provides the shell (" + b.getSymbolicName()
                            + "), and without it no feature could be installed again: it cannot be uninstalled");
                }
            }
        }
        Map<String, String> dependants = new TreeMap<>();
        for (Bundle other : context.getBundles()) {
            if (going.contains(other) || other.getBundleId() == 0) {
                continue;
            }
            BundleWiring wiring = other.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (BundleWire w : wiring.getRequiredWires(null)) {
                Bundle provider = w.getProvider().getBundle();
                String resolution = w.getRequirement().getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
                if (!going.contains(provider) || Namespace.RESOLUTION_OPTIONAL.equals(resolution) || "dynamic".equals(resolution)) {
                    continue;
                }
                String who = featureOf(other, keep);
                Object what = w.getCapability().getAttributes().get(w.getCapability().getNamespace());
                dependants.putIfAbsent(who, other.getSymbolicName() + " needs " + (what == null ? "" : what + " of ")
                        + provider.getSymbolicName());
            }
        }
        if (!dependants.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            dependants.forEach((who, why) -> reasons.add(who + " (" + why + ")"));
            throw new FeatureException("feature " + d.name() + " is needed by " + String.join(", ", reasons)
                    + ": uninstall " + (dependants.size() == 1 ? "it" : "them") + " first; nothing was changed");
        }
    }

    /** "feature NAME" for the installed feature that holds {@code b}, else "bundle BSN" (deploy/, say). */
    private String featureOf(Bundle b, List<FeatureDescriptor> installed) {
        for (FeatureDescriptor f : installed) {
            for (BundleRef r : f.bundles()) {
                if (installer.location(r).equals(b.getLocation())) {
                    return "feature " + f.name();
                }
            }
        }
        return "bundle " + b.getSymbolicName();
    }

    private boolean needsSelf(FeatureDescriptor d) {
        String self = context.getBundle().getLocation();
        for (BundleRef r : d.bundles()) {
            if (installer.location(r).equals(self)) {
                return true;
            }
        }
        return false;
    }

    private FeatureDescriptor descriptor(String name) {
        Map<String, FeatureDescriptor> all;
        try {
            all = catalog.load();
        } catch (RuntimeException e) {
            throw new FeatureException("cannot read feature descriptors: " + e.getMessage(), e);
        }
        FeatureDescriptor d = all.get(name);
        if (d == null) {
            throw new FeatureException("no feature named \"" + name + "\"; known features: " + String.join(", ", all.keySet()));
        }
        return d;
    }

    private FeatureInfo info(FeatureDescriptor d) {
        List<String> ids = d.bundles().stream().map(BundleRef::id).toList();
        return new FeatureInfo(d.name(), d.id(), d.title(), d.description(), ids, installer.isInstalled(context, d),
                boot.contains(d.name()));
    }

    private void applyConfigurations(FeatureDescriptor d) {
        for (Map.Entry<String, Map<String, Object>> e : d.configurations().entrySet()) {
            try {
                Configuration c = configAdmin.getConfiguration(e.getKey(), "?");
                if (c.getProperties() != null) {
                    continue; // already configured: the operator's values win
                }
                Dictionary<String, Object> props = new Hashtable<>();
                e.getValue().forEach((k, v) -> {
                    if (v != null) {
                        props.put(k, v);
                    }
                });
                props.put(FEATURE_PROPERTY, d.name());
                c.update(props);
            } catch (IOException ex) {
                LOG.warn("feature {}: cannot apply configuration {}: {}", d.name(), e.getKey(), ex.getMessage());
            }
        }
    }

    private void deleteConfigurations(FeatureDescriptor d) {
        for (String pid : d.configurations().keySet()) {
            try {
                Configuration c = configAdmin.getConfiguration(pid, "?");
                Dictionary<String, Object> p = c.getProperties();
                if (p != null && d.name().equals(p.get(FEATURE_PROPERTY))) {
                    c.delete();
                }
            } catch (IOException ex) {
                LOG.warn("feature {}: cannot delete configuration {}: {}", d.name(), pid, ex.getMessage());
            }
        }
    }
}
