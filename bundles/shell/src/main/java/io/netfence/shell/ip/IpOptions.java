package io.netfence.shell.ip;

/**
 * The global options of {@code ip}: {@code stats} counts the -s given (0, 1, 2+), {@code family}
 * is 0 (any), 4 or 6; {@code batch} is the -batch file or null.
 */
public record IpOptions(int stats, boolean details, boolean json, boolean pretty, boolean oneline, int family,
                        String batch, boolean force, boolean help) {

    public static final IpOptions DEFAULT = new IpOptions(0, false, false, false, false, 0, null, false, false);

    /** The options a batch line starts from: the same display options, without the batch itself. */
    IpOptions forBatchLine() {
        return new IpOptions(stats, details, json, pretty, oneline, family, null, false, false);
    }

    /** "inet" or "inet6" for a family number, as iproute2 names them. */
    static String familyName(int family) {
        return family == 6 ? "inet6" : "inet";
    }
}
