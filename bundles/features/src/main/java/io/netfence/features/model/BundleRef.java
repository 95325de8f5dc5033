package io.netfence.features.model;

/**
 * One bundle of a feature: its Maven identifier {@code group:artifact:version} and the start level it
 * runs at ({@code start-order} in the descriptor). Fragments are installed but never started.
 */
public record BundleRef(String id, int startOrder) {
    public String groupId() {
        return part(0);
    }

    public String artifactId() {
        return part(1);
    }

    public String version() {
        return part(2);
    }

    private String part(int i) {
        String[] p = id.split(":");
        if (p.length < 3) {
            throw new IllegalArgumentException("bundle id \"" + id + "\" is not group:artifact:version");
        }
        return p[i];
    }

    /** Path of the jar inside a Maven-layout repository folder. */
    public String repositoryPath() {
        return groupId().replace('.', '/') + "/" + artifactId() + "/" + version() + "/" + artifactId() + "-" + version() + ".jar";
    }
}
