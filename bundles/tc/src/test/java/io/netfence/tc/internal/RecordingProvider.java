package io.netfence.tc.internal;

import io.netfence.tc.api.TcHook;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.TcOffloadProvider;
import io.netfence.tc.spi.TcRefusal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A provider for tests that keeps what it was given the way a real one would (bindings, filters
 * by cookie), records every call, and has knobs: refuse binds or filters with a reason, report
 * given counters. It also notes every call that breaks the SPI's rules (a filter for a block it
 * is not bound to, an unbind it never saw) in {@link #violations}, which tests expect empty.
 */
abstract class RecordingProvider implements TcOffloadProvider {
    record Bound(String dev, TcHook hook, long block) {
    }

    private final String name;
    final List<String> calls = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final Set<Bound> bindings = new LinkedHashSet<>();
    final Map<Long, ClsOffload> installed = new LinkedHashMap<>();
    final Map<Long, ClsStats> stats = new HashMap<>();
    int commits;
    /** Knob: a non-null reason refuses every bind. */
    String refuseBind;
    /** Knob: a non-null reason refuses that filter. */
    Function<ClsOffload, String> refuseFilter = f -> null;

    RecordingProvider(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TcRefusal bind(String dev, TcHook hook, long block) {
        calls.add("bind " + dev + " " + hook.word() + " " + block);
        if (refuseBind != null) {
            return new TcRefusal(name, refuseBind);
        }
        if (!bindings.add(new Bound(dev, hook, block))) {
            violations.add("bound twice: " + dev + " " + hook.word() + " " + block);
        }
        return null;
    }

    @Override
    public void unbind(String dev, TcHook hook, long block) {
        calls.add("unbind " + dev + " " + hook.word() + " " + block);
        if (!bindings.remove(new Bound(dev, hook, block))) {
            violations.add("unbind of a binding never made: " + dev + " " + hook.word() + " " + block);
        }
        if (bindings.stream().noneMatch(b -> b.block() == block) && installed.values().stream().anyMatch(f -> f.block() == block)) {
            violations.add("last binding of block " + block + " gone while its filters are still here");
        }
    }

    @Override
    public TcRefusal replace(ClsOffload filter) {
        calls.add("replace " + filter.block() + " " + filter.cookie());
        String reason = refuseFilter.apply(filter);
        if (reason != null) {
            return new TcRefusal(name, reason);
        }
        if (bindings.stream().noneMatch(b -> b.block() == filter.block())) {
            violations.add("filter for unbound block " + filter.block());
        }
        if (filter.actions().size() != filter.filter().actions().size()) {
            violations.add("action lists differ in length for cookie " + filter.cookie());
        }
        installed.put(filter.cookie(), filter);
        return null;
    }

    @Override
    public void destroy(long block, long cookie) {
        calls.add("destroy " + block + " " + cookie);
        ClsOffload f = installed.get(cookie);
        if (f != null && f.block() == block) {
            installed.remove(cookie);
            stats.remove(cookie);
        }
    }

    @Override
    public ClsStats stats(long block, long cookie) {
        return installed.containsKey(cookie) ? stats.get(cookie) : null;
    }

    @Override
    public void commit() {
        calls.add("commit");
        commits++;
    }

    /** The cookie of the installed filter with this prio and handle. */
    long cookieOf(int prio, long handle) {
        return installed.values().stream().filter(f -> f.filter().prio() == prio && f.filter().handle() == handle).findFirst()
                .orElseThrow(() -> new AssertionError(name + " holds no filter prio " + prio + " handle " + handle)).cookie();
    }

    /** What it holds, as comparable text: bindings, then filters with their installed form. */
    String state() {
        return bindings + " " + installed.values();
    }
}
