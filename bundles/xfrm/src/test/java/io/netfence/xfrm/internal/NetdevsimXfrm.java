package io.netfence.xfrm.internal;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.internal.JceEngine;
import io.netfence.packet.PacketBuffer;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.spi.OffloadRefusal;
import io.netfence.xfrm.spi.OffloadedPolicy;
import io.netfence.xfrm.spi.OffloadedState;
import io.netfence.xfrm.spi.SaContext;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest device backend, in the spirit of Linux's netdevsim: it takes what it is given,
 * records every call of the offload contract in order, and has knobs to say no. Its "device"
 * seals and opens packets with a software ESP state of its own (so a peer can check what it sent)
 * and counts the packets it handled. Misuse of the contract (a delete twice, a free before a
 * delete, a call on a freed object) is recorded as a call starting with "BUG".
 */
final class NetdevsimXfrm implements XfrmOffloadProvider {
    final String name;
    /** Every call, in order: "stateAdd 0x00001000", "offloadOk 0x00001000", "policyAdd out"... */
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Knobs: refuse the next stateAdd of crypto / packet offload, or policyAdd, with this reason (null: accept). */
    volatile String refuseCrypto;
    volatile String refusePacket;
    volatile String refusePolicy;
    /** offloadOk is false for IP packets longer than this. */
    volatile int maxOffloadLength = Integer.MAX_VALUE;
    final List<State> states = new CopyOnWriteArrayList<>();
    final List<Policy> policies = new CopyOnWriteArrayList<>();
    private final SoftwareXfrmProvider silicon = new SoftwareXfrmProvider();

    NetdevsimXfrm(String name) {
        this.name = name;
        silicon.addEngine(new JceEngine());
    }

    NetdevsimXfrm() {
        this("netdevsim");
    }

    /** The calls without the per-packet offloadOk ones. */
    List<String> controlCalls() {
        return calls.stream().filter(c -> !c.startsWith("offloadOk")).toList();
    }

    long offloadOkCalls() {
        return calls.stream().filter(c -> c.startsWith("offloadOk")).count();
    }

    /** A device SA. */
    final class State implements OffloadedState {
        final XfrmState sa;
        final OffloadedState inner;
        final AtomicLong packets = new AtomicLong();
        volatile boolean deleted;
        volatile boolean freed;

        State(XfrmState sa, OffloadedState inner) {
            this.sa = sa;
            this.inner = inner;
        }

        @Override
        public int overheadFront() {
            return inner.overheadFront();
        }

        @Override
        public int overheadBack() {
            return inner.overheadBack();
        }

        @Override
        public int encapsulate(byte[] b, int packet, int length) {
            if (freed) {
                calls.add("BUG encapsulate on freed " + sa.spiText());
            }
            int r = inner.encapsulate(b, packet, length);
            if (r >= 0) {
                packets.incrementAndGet();
            }
            return r;
        }

        @Override
        public int decapsulate(byte[] b, int start, int esp, int length) {
            if (freed) {
                calls.add("BUG decapsulate on freed " + sa.spiText());
            }
            int r = inner.decapsulate(b, start, esp, length);
            if (r >= 0) {
                packets.incrementAndGet();
            }
            return r;
        }

        @Override
        public String describe() {
            return "nsim sa " + states.indexOf(this);
        }

        /** Packets the core passed through the device are counted by the core, not here (see the SPI). */
        @Override
        public SaCounters deviceCounters() {
            return SaCounters.ZERO;
        }
    }

    /** A device policy with counters a test can move ("the device matched N packets"). */
    final class Policy implements OffloadedPolicy {
        final XfrmPolicy policy;
        final AtomicLong packets = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean deleted;
        volatile boolean freed;

        Policy(XfrmPolicy policy) {
            this.policy = policy;
        }

        void traffic(long p, long b) {
            packets.addAndGet(p);
            bytes.addAndGet(b);
        }

        @Override
        public long devicePackets() {
            return packets.get();
        }

        @Override
        public long deviceBytes() {
            return bytes.get();
        }
    }

    State state(int spi) {
        List<State> l = new ArrayList<>(states);
        for (int i = l.size() - 1; i >= 0; i--) {
            if (l.get(i).sa.spi() == spi) {
                return l.get(i);
            }
        }
        return null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public OffloadedState stateAdd(XfrmState s, SaContext context) throws OffloadRefusal {
        calls.add("stateAdd " + s.spiText());
        String refusal = s.offload().type() == OffloadSpec.Type.PACKET ? refusePacket : refuseCrypto;
        if (refusal != null) {
            throw new OffloadRefusal(refusal);
        }
        State st = new State(s, silicon.stateAdd(s, context));
        states.add(st);
        return st;
    }

    @Override
    public void stateDelete(OffloadedState state) {
        State s = (State) state;
        calls.add((s.deleted ? "BUG twice " : "") + "stateDelete " + s.sa.spiText());
        s.deleted = true;
    }

    @Override
    public void stateFree(OffloadedState state) {
        State s = (State) state;
        calls.add((!s.deleted || s.freed ? "BUG " : "") + "stateFree " + s.sa.spiText());
        s.freed = true;
        silicon.stateFree(s.inner);
    }

    @Override
    public boolean offloadOk(OffloadedState state, PacketBuffer packet) {
        State s = (State) state;
        calls.add((s.deleted ? "BUG " : "") + "offloadOk " + s.sa.spiText());
        return packet.offset + packet.length - packet.key.l3Offset <= maxOffloadLength;
    }

    @Override
    public void stateAdvanceEsn(OffloadedState state) {
        State s = (State) state;
        calls.add((s.freed ? "BUG " : "") + "stateAdvanceEsn " + s.sa.spiText());
    }

    @Override
    public void stateUpdateStats(OffloadedState state) {
        State s = (State) state;
        calls.add((s.freed ? "BUG " : "") + "stateUpdateStats " + s.sa.spiText());
    }

    @Override
    public OffloadedPolicy policyAdd(XfrmPolicy policy) throws OffloadRefusal {
        calls.add("policyAdd " + policy.direction().word());
        if (refusePolicy != null) {
            throw new OffloadRefusal(refusePolicy);
        }
        Policy p = new Policy(policy);
        policies.add(p);
        return p;
    }

    @Override
    public void policyDelete(OffloadedPolicy policy) {
        Policy p = (Policy) policy;
        calls.add((p.deleted ? "BUG twice " : "") + "policyDelete " + p.policy.direction().word());
        p.deleted = true;
    }

    @Override
    public void policyFree(OffloadedPolicy policy) {
        Policy p = (Policy) policy;
        calls.add((!p.deleted || p.freed ? "BUG " : "") + "policyFree " + p.policy.direction().word());
        p.freed = true;
    }
}
