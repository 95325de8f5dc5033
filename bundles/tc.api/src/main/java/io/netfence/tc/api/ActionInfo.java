package io.netfence.tc.api;

/**
 * An action as installed: its description (index assigned), how many filters bind it and how
 * many references hold it ({@code ref}/{@code bind} in tc's output), when it was installed, and
 * its counters from software and from devices ({@code stats()} is their sum, as tc shows).
 */
public record ActionInfo(Action action, int refCount, int bindCount, long installedMillis, long firstUsedMillis, TcStats software,
        TcStats hardware) {
    public TcStats stats() {
        return software.plus(hardware);
    }
}
