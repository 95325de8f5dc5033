package io.netfence.xfrm.internal;

import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.spi.OffloadedPolicy;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The device backends by the device they serve, and the device policies waiting for their grace
 * period; the core's bookkeeping for the offload contract (used under the core's lock).
 */
final class DeviceBackends {
    /** A policy's device half, deleted and waiting to be freed. */
    record RetiredPolicy(XfrmOffloadProvider device, OffloadedPolicy policy) {
    }

    private final Map<String, XfrmOffloadProvider> byDevice = new LinkedHashMap<>();
    private final List<RetiredPolicy> policiesToFree = new ArrayList<>();

    /** The backend that serves {@code device}, or null. */
    XfrmOffloadProvider get(String device) {
        return byDevice.get(device);
    }

    void add(String device, XfrmOffloadProvider provider) {
        if (device == null || device.isBlank()) {
            throw new XfrmException("a device backend needs a device name");
        }
        XfrmOffloadProvider old = byDevice.get(device);
        if (old != null && old != provider) {
            throw new XfrmException("dev " + device + " is already served by xfrm backend " + old.name()
                    + ": remove it before " + provider.name() + " can take the device");
        }
        byDevice.put(device, provider);
    }

    XfrmOffloadProvider remove(String device) {
        return byDevice.remove(device);
    }

    /** "eth1 (nsim), eth2 (mlx5)", or "none", for messages. */
    String describe() {
        if (byDevice.isEmpty()) {
            return "none";
        }
        List<String> l = new ArrayList<>();
        byDevice.forEach((d, p) -> l.add(d + " (" + p.name() + ")"));
        return String.join(", ", l);
    }

    /** {@code policyDelete} now; {@code policyFree} on the next {@link #freePolicies}. */
    void retirePolicy(XfrmOffloadProvider device, OffloadedPolicy policy) {
        device.policyDelete(policy);
        policiesToFree.add(new RetiredPolicy(device, policy));
    }

    /** The grace period is over for what was retired before: {@code policyFree}. */
    void freePolicies() {
        for (RetiredPolicy r : policiesToFree) {
            r.device().policyFree(r.policy());
        }
        policiesToFree.clear();
    }
}
