package io.netfence.xfrm.spi;

import io.netfence.packet.PacketBuffer;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;

/**
 * The xfrm offload contract, in the shape of Linux's {@code xfrmdev_ops}, implemented by every
 * backend (the software one included) and registered as an OSGi service with the property
 * {@value #BACKEND_PROPERTY}. The core owns the SAD/SPD, validation and the dynamic SA state; a
 * backend programs, runs and counts what it is given, and says why when it cannot.
 *
 * <h2>Software backend and device backends</h2>
 * The software backend ({@code netfence.backend=software}) takes every SA that no device takes.
 * A <em>device backend</em> also names the devices it offloads for in {@value #DEVICES_PROPERTY}
 * (a String or String[], e.g. {@code eth1}); the core then sends it the SAs whose
 * {@code offload [crypto|packet] dev DEV} names one of them, and the policies with
 * {@code offload packet dev DEV}. When a device backend's service goes away, the core moves its
 * crypto-offload SAs to their software twins (traffic and sequence numbers go on) and deletes its
 * packet-offload SAs and policies (a delete event each), calling {@code stateDelete} /
 * {@code policyDelete} at once and {@code stateFree} / {@code policyFree} after the grace period:
 * a backend's object must accept those late frees after its service was unregistered (as a Linux
 * netdev stays referenced until its last state is freed).
 *
 * <h2>Call order for an SA on a device</h2>
 * <ol>
 * <li>{@code stateAdd}. A refusal ({@link OffloadRefusal}) of a <em>crypto</em>-offload SA makes
 *     the core run the SA in software, with the reason in its placement ({@code ip xfrm state});
 *     a refusal of a <em>packet</em>-offload SA is the user's error, naming the device and the
 *     reason, and nothing changes. For an accepted crypto-offload SA the core also adds a
 *     software twin (the software backend's {@code stateAdd} with the same {@link SaContext}, so
 *     sequence numbers and the replay window are one).</li>
 * <li>Per outbound packet, {@code offloadOk} (only for SAs on a device, never for software-only
 *     ones): false seals that packet with the software twin (crypto offload) or drops it
 *     ({@code tx_error}; packet offload, as Linux counts XfrmOutError).</li>
 * <li>{@code stateAdvanceEsn}, with ESN, once each time the high 32 bits of the outbound sequence
 *     or of the inbound window's top move on (Linux calls it on every window advance and lets the
 *     driver compare; the core compares for the backend).</li>
 * <li>{@code stateUpdateStats} before the SA is read ({@code ip xfrm state get|list}).</li>
 * <li>{@code stateDelete} when the SA is deleted, flushed, expires, is replaced by
 *     {@code update}, or its device backend goes away: no new packet uses it.</li>
 * <li>The grace period (the next housekeeping pass, about a second: packets in flight finish),
 *     then {@code stateFree}.</li>
 * </ol>
 * Policies ({@code offload packet dev DEV} only): {@code policyAdd} before the policy is in the
 * SPD (a refusal is the user's error, nothing changes); {@code policyDelete} when it is deleted,
 * flushed, replaced, expires or its backend goes away; {@code policyFree} after the grace period.
 * The device's {@link OffloadedPolicy} counters are added to the policy's ({@code ip -s xfrm policy}).
 *
 * <p>The software backend gets the same order for its own SAs ({@code stateAdd},
 * {@code stateUpdateStats}, {@code stateDelete}, {@code stateFree}) but never {@code offloadOk},
 * {@code stateAdvanceEsn} or policy calls.
 */
public interface XfrmOffloadProvider {
    /** Service property: the backend's name ({@link #name()}), e.g. "software". */
    String BACKEND_PROPERTY = "netfence.backend";

    /**
     * Service property of a device backend: the device names it offloads IPsec for (String or
     * String[]). The software backend has none.
     */
    String DEVICES_PROPERTY = "netfence.xfrm.devices";

    /** The backend's name, e.g. "software". */
    String name();

    /** {@code xdo_dev_state_add}: validate against what the backend can do, and program the SA. */
    OffloadedState stateAdd(XfrmState state, SaContext context) throws OffloadRefusal;

    /** {@code xdo_dev_state_delete}: stop using the SA; packets already in flight may finish. */
    void stateDelete(OffloadedState state);

    /** {@code xdo_dev_state_free}: release everything; called after the last reference is gone. */
    void stateFree(OffloadedState state);

    /**
     * {@code xdo_dev_offload_ok}: may this outbound packet (the clear IP packet, before ESP) be
     * sent through the backend on this SA? Called per packet, for SAs on a device only.
     */
    boolean offloadOk(OffloadedState state, PacketBuffer packet);

    /** {@code xdo_dev_state_advance_esn}: the high 32 bits of the ESN moved on (once per move). */
    void stateAdvanceEsn(OffloadedState state);

    /** {@code xdo_dev_state_update_stats}: fold what the device counted into the SA's counters. */
    void stateUpdateStats(OffloadedState state);

    /** {@code xdo_dev_policy_add}: packet offload only; the software backend accepts every policy. */
    OffloadedPolicy policyAdd(XfrmPolicy policy) throws OffloadRefusal;

    /** {@code xdo_dev_policy_delete}: the device stops matching the policy. */
    void policyDelete(OffloadedPolicy policy);

    /** {@code xdo_dev_policy_free}: release it; called after the grace period. */
    void policyFree(OffloadedPolicy policy);
}
