package io.netfence.features.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Installs and removes the bundles of features. A bundle's location is its jar's file URI, so a
 * bundle shared by two features is installed once and removed only when no installed feature
 * needs it. The launcher uses this before the framework starts; the feature service at runtime.
 */
public final class FeatureInstaller {
    private final FeatureCatalog catalog;

    public FeatureInstaller(FeatureCatalog catalog) {
        this.catalog = catalog;
    }

    public String location(BundleRef ref) {
        return catalog.jar(ref).toUri().toString();
    }

    /**
     * Installs the feature's bundles with their start levels and, when {@code start} is true, marks them
     * started (before the framework reaches their level they start with it; afterwards at once, in
     * start order). Returns the bundles this call installed, so a caller can roll back.
     */
    public List<Bundle> install(BundleContext ctx, FeatureDescriptor feature, boolean start) throws BundleException {
        catalog.verify(feature);
        List<Bundle> added = new ArrayList<>();
        List<Bundle> all = new ArrayList<>();
        try {
            for (BundleRef ref : feature.bundles()) {
                String loc = location(ref);
                Bundle b = ctx.getBundle(loc);
                if (b == null) {
                    b = ctx.installBundle(loc);
                    added.add(b);
                    b.adapt(BundleStartLevel.class).setStartLevel(Math.max(1, ref.startOrder()));
                }
                all.add(b);
            }
            if (start) {
                all.sort(Comparator.comparingInt(b -> b.adapt(BundleStartLevel.class).getStartLevel()));
                for (Bundle b : all) {
                    if (!isFragment(b) && (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
                        b.start();
                    }
                }
            }
            return added;
        } catch (BundleException | RuntimeException e) {
            uninstallQuietly(added);
            throw e;
        }
    }

    /**
     * Stops and uninstalls the feature's bundles that none of {@code keep} needs, then refreshes
     * the framework's wiring so no stale class space remains.
     */
    public List<String> uninstall(BundleContext ctx, FeatureDescriptor feature, Collection<FeatureDescriptor> keep)
            throws BundleException {
        Set<String> needed = new HashSet<>();
        for (FeatureDescriptor f : keep) {
            for (BundleRef r : f.bundles()) {
                needed.add(r.id());
            }
        }
        List<Bundle> remove = new ArrayList<>();
        for (BundleRef ref : feature.bundles()) {
            if (needed.contains(ref.id())) {
                continue;
            }
            Bundle b = ctx.getBundle(catalog.jar(ref).toUri().toString());
            if (b != null) {
                remove.add(b);
            }
        }
        // Stop in reverse start order so dependants go first.
        remove.sort(Comparator.comparingInt((Bundle b) -> b.adapt(BundleStartLevel.class).getStartLevel()).reversed());
        List<String> names = new ArrayList<>();
        for (Bundle b : remove) {
            names.add(b.getSymbolicName());
            b.uninstall();
        }
        if (!remove.isEmpty()) {
            ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(remove);
        }
        return names;
    }

    public boolean isInstalled(BundleContext ctx, FeatureDescriptor feature) {
        for (BundleRef ref : feature.bundles()) {
            Path jar = catalog.jar(ref);
            if (ctx.getBundle(jar.toUri().toString()) == null) {
                return false;
            }
        }
        return true;
    }

    public static boolean isFragment(Bundle b) {
        return b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
    }

    private static void uninstallQuietly(List<Bundle> bundles) {
        for (Bundle b : bundles) {
            try {
                b.uninstall();
            } catch (BundleException | IllegalStateException ignored) {
                // Best effort during rollback; the original failure is what the operator needs to see.
            }
        }
    }
}
