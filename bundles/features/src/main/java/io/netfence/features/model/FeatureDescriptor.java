package io.netfence.features.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature as described by an OSGi Feature JSON file (Compendium R8, chapter 159): {@code id},
 * {@code name}, {@code description}, {@code categories}, {@code bundles} (each with a Netfence
 * {@code start-order}) and {@code configurations} (PID to properties). The short name operators
 * type is the file name without {@code .json}. A feature in category {@code essential} keeps the
 * appliance alive and cannot be uninstalled.
 */
public record FeatureDescriptor(String name, String id, String title, String description, List<String> categories,
                                List<BundleRef> bundles, Map<String, Map<String, Object>> configurations) {

    public FeatureDescriptor {
        categories = List.copyOf(categories);
        bundles = List.copyOf(bundles);
        configurations = Map.copyOf(configurations);
    }

    public boolean essential() {
        return categories.contains("essential");
    }

    public static FeatureDescriptor read(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        try {
            return parse(name, Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static FeatureDescriptor parse(String name, String json) {
        Object root = Json.parse(json);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("a feature must be a JSON object");
        }
        String id = requireString(m, "id");
        String title = optionalString(m, "name", name);
        String description = optionalString(m, "description", "");
        List<String> categories = new ArrayList<>();
        if (m.get("categories") instanceof List<?> cats) {
            for (Object c : cats) {
                categories.add(String.valueOf(c));
            }
        }
        List<BundleRef> bundles = new ArrayList<>();
        Object bl = m.get("bundles");
        if (!(bl instanceof List<?> list)) {
            throw new IllegalArgumentException("\"bundles\" must be an array");
        }
        for (Object o : list) {
            if (o instanceof String s) {
                bundles.add(new BundleRef(s, 1));
            } else if (o instanceof Map<?, ?> b) {
                String bid = requireString(b, "id");
                Object so = b.get("start-order");
                int order = so == null ? 1 : Integer.parseInt(String.valueOf(so));
                bundles.add(new BundleRef(bid, order));
            } else {
                throw new IllegalArgumentException("a bundle entry must be a string or an object with \"id\"");
            }
        }
        for (BundleRef b : bundles) {
            b.repositoryPath(); // validates the id form early
        }
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        if (m.get("configurations") instanceof Map<?, ?> cm) {
            for (Map.Entry<?, ?> e : cm.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> props)) {
                    throw new IllegalArgumentException("configuration \"" + e.getKey() + "\" must be an object");
                }
                configs.put(String.valueOf(e.getKey()), (Map<String, Object>) props);
            }
        }
        return new FeatureDescriptor(name, id, title, description, categories, bundles, configs);
    }

    private static String requireString(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a non-empty string");
        }
        return s;
    }

    private static String optionalString(Map<?, ?> m, String key, String dflt) {
        Object v = m.get(key);
        return v == null ? dflt : String.valueOf(v);
    }
}
