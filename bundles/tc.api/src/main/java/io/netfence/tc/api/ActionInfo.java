package io.netfence.tc.api;

/**
 * An action as installed: its description (index assigned), how many filters bind it and how
 * many references hold it ({@code ref}/{@code bind} in tc's output), when it was installed, its
 * counters from software and from devices ({@code stats()} is their sum, as tc shows), and
 * {@code devGone}: the device a mirred names does not exist (it drops what it would redirect).
 */
public record ActionInfo(Action action, int refCount, int bindCount, long installedMillis, long firstUsedMillis, TcStats software,
        TcStats hardware, boolean devGone) {
    public ActionInfo(Action action, int refCount, int bindCount, long installedMillis, long firstUsedMillis, TcStats software,
            TcStats hardware) {
        this(action, refCount, bindCount, installedMillis, firstUsedMillis, software, hardware, false);
    }

    public TcStats stats() {
        return software.plus(hardware);
    }
}
