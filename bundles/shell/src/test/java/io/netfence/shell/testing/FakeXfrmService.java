package io.netfence.shell.testing;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory XfrmService for tests: a SAD keyed by (dst, spi) and an SPD keyed as the real one
 * (dir, selector, mark, if_id) with Linux-style indexes. It records every mutating call, can be
 * told to refuse one, validates nothing else (the shell must), and lets a test push monitor events.
 */
public final class FakeXfrmService implements XfrmService {
    /** A recorded mutating call. */
    public record Call(String method, List<Object> args) {
        @Override
        public String toString() {
            return method + args;
        }
    }

    /** What the fake stamps as "added" (2026-11-29 07:00:00 UTC). */
    public static final long NOW = 1_795_935_600L;

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, XfrmStateInfo> states = new LinkedHashMap<>();
    private final List<XfrmPolicyInfo> policies = new ArrayList<>();
    private final Set<String> refused = new HashSet<>();
    private final List<Consumer<XfrmEvent>> listeners = new CopyOnWriteArrayList<>();
    private int nextPolicy = 1;

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<String> callNames() {
        return calls.stream().map(Call::method).toList();
    }

    public synchronized void clearCalls() {
        calls.clear();
    }

    /** The next calls of {@code method} throw XfrmException. */
    public synchronized void refuse(String method) {
        refused.add(method);
    }

    /** The SAD and SPD as text (keys included), to compare before and after a command. */
    public synchronized String snapshot() {
        StringBuilder sb = new StringBuilder();
        for (XfrmStateInfo s : states.values()) {
            XfrmState st = s.state();
            sb.append(st).append(' ').append(st.encryptionKey() == null ? "-" : st.encryptionKey().hex()).append(' ')
                    .append(st.authenticationKey() == null ? "-" : st.authenticationKey().hex()).append(' ').append(s).append('\n');
        }
        for (XfrmPolicyInfo p : policies) {
            sb.append(p).append('\n');
        }
        return sb.toString();
    }

    private void record(String method, Object... args) {
        calls.add(new Call(method, Arrays.asList(args)));
        if (refused.contains(method)) {
            throw new XfrmException(method + " refused by the test");
        }
    }

    private static String key(IpAddress dst, int spi) {
        return dst + "/" + Integer.toHexString(spi);
    }

    /** Puts an SA with counters and sequence numbers, as the dataplane would have them (not a recorded call). */
    public synchronized void putState(XfrmStateInfo info) {
        states.put(key(info.state().dst(), info.state().spi()), info);
    }

    /** Puts a policy with counters (not a recorded call). */
    public synchronized void putPolicy(XfrmPolicyInfo info) {
        policies.add(info);
    }

    public synchronized int listenerCount() {
        return listeners.size();
    }

    /** Delivers an event to the monitors, on the caller's thread (the real service has its own). */
    public void emit(XfrmEvent event) {
        for (Consumer<XfrmEvent> l : listeners) {
            l.accept(event);
        }
    }

    @Override
    public synchronized void addState(XfrmState state) {
        record("addState", state);
        if (states.containsKey(key(state.dst(), state.spi()))) {
            throw new XfrmException("SA dst " + state.dst() + " spi " + state.spiText() + " exists: expected ip xfrm state update");
        }
        states.put(key(state.dst(), state.spi()), new XfrmStateInfo(state, SaCounters.ZERO, NOW, 0, 0, 0, 0, false, "software"));
    }

    @Override
    public synchronized void updateState(XfrmState state) {
        record("updateState", state);
        XfrmStateInfo old = lookup(state.dst(), state.spi());
        states.put(key(state.dst(), state.spi()), new XfrmStateInfo(state, old.counters(), old.addTime(), old.useTime(),
                old.outboundSeq(), old.inboundSeq(), old.bitmap(), old.softExpired(), old.placement()));
    }

    private XfrmStateInfo lookup(IpAddress dst, int spi) {
        XfrmStateInfo info = states.get(key(dst, spi));
        if (info == null) {
            throw new XfrmException("no SA dst " + dst + " spi " + String.format("0x%08x", spi) + ": expected one listed by"
                    + " ip xfrm state");
        }
        return info;
    }

    @Override
    public synchronized void deleteState(IpAddress dst, int spi) {
        record("deleteState", dst, spi);
        lookup(dst, spi);
        states.remove(key(dst, spi));
    }

    @Override
    public synchronized XfrmStateInfo state(IpAddress dst, int spi) {
        return lookup(dst, spi);
    }

    @Override
    public synchronized List<XfrmStateInfo> states() {
        return List.copyOf(states.values());
    }

    @Override
    public synchronized int flushStates() {
        record("flushStates");
        int n = states.size();
        states.clear();
        return n;
    }

    @Override
    public synchronized int stateCount() {
        return states.size();
    }

    /** Reserves the lowest free SPI as a larval SA (no algorithms yet), listed as Linux lists one. */
    @Override
    public synchronized int allocateSpi(IpAddress src, IpAddress dst, XfrmMode mode, int reqid, int min, int max) {
        record("allocateSpi", src, dst, mode, reqid, min, max);
        for (long spi = min & 0xFFFF_FFFFL; spi <= (max & 0xFFFF_FFFFL); spi++) {
            if (!states.containsKey(key(dst, (int) spi))) {
                Selector sel = new Selector(new IpPrefix(src, src.bitLength()), new IpPrefix(dst, dst.bitLength()), 0, 0, 0, 0, 0, null);
                XfrmState larval = new XfrmState(src, dst, (int) spi, mode, reqid, null, null, null, 0, false, sel,
                        Lifetime.NONE, null, Mark.NONE, 0, null);
                states.put(key(dst, (int) spi), new XfrmStateInfo(larval, SaCounters.ZERO, NOW, 0, 0, 0, 0, false, null));
                return (int) spi;
            }
        }
        throw new XfrmException("no free SPI in min-max");
    }

    @Override
    public synchronized XfrmPolicy addPolicy(XfrmPolicy policy) {
        record("addPolicy", policy);
        for (XfrmPolicyInfo p : policies) {
            if (p.policy().sameKey(policy)) {
                throw new XfrmException("policy exists: expected ip xfrm policy update");
            }
        }
        return store(policy);
    }

    @Override
    public synchronized XfrmPolicy updatePolicy(XfrmPolicy policy) {
        record("updatePolicy", policy);
        for (int i = 0; i < policies.size(); i++) {
            XfrmPolicyInfo p = policies.get(i);
            if (p.policy().sameKey(policy)) {
                XfrmPolicy stored = policy.withIndex(p.policy().index());
                policies.set(i, new XfrmPolicyInfo(stored, p.packets(), p.bytes(), p.addTime(), p.useTime()));
                return stored;
            }
        }
        return store(policy);
    }

    /** Stores a new policy, giving it an index as Linux does (8 * n + dir) unless it has one. */
    private XfrmPolicy store(XfrmPolicy policy) {
        XfrmPolicy stored = policy.index() != 0 ? policy : policy.withIndex(8 * nextPolicy++ + policy.direction().ordinal());
        policies.add(new XfrmPolicyInfo(stored, 0, 0, NOW, 0));
        return stored;
    }

    private XfrmPolicyInfo find(XfrmDirection direction, Selector selector, Mark mark, int ifId) {
        for (XfrmPolicyInfo p : policies) {
            XfrmPolicy x = p.policy();
            if (x.direction() == direction && x.selector().equals(selector) && x.mark().equals(mark) && x.ifId() == ifId) {
                return p;
            }
        }
        throw new XfrmException("no policy dir " + direction.word() + " with that selector: expected one listed by ip xfrm policy");
    }

    private XfrmPolicyInfo find(XfrmDirection direction, int index) {
        for (XfrmPolicyInfo p : policies) {
            if (p.policy().direction() == direction && p.policy().index() == index) {
                return p;
            }
        }
        throw new XfrmException("no policy dir " + direction.word() + " index " + Integer.toUnsignedString(index));
    }

    @Override
    public synchronized void deletePolicy(XfrmDirection direction, Selector selector, Mark mark, int ifId) {
        record("deletePolicy", direction, selector, mark, ifId);
        policies.remove(find(direction, selector, mark, ifId));
    }

    @Override
    public synchronized void deletePolicy(XfrmDirection direction, int index) {
        record("deletePolicy", direction, index);
        policies.remove(find(direction, index));
    }

    @Override
    public synchronized XfrmPolicyInfo policy(XfrmDirection direction, Selector selector, Mark mark, int ifId) {
        return find(direction, selector, mark, ifId);
    }

    @Override
    public synchronized XfrmPolicyInfo policy(XfrmDirection direction, int index) {
        return find(direction, index);
    }

    @Override
    public synchronized List<XfrmPolicyInfo> policies() {
        return List.copyOf(policies);
    }

    @Override
    public synchronized int flushPolicies() {
        record("flushPolicies");
        int n = policies.size();
        policies.clear();
        return n;
    }

    @Override
    public synchronized int policyCount() {
        return policies.size();
    }

    @Override
    public AutoCloseable monitor(Consumer<XfrmEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
