package io.netfence.xfrm.internal;

import io.netfence.packet.IpAddress;
import io.netfence.xfrm.api.XfrmMode;

/**
 * The SAs that can serve one template, best first, shared by every outbound policy with that
 * template: an SA change recomputes the few templates of its endpoints, not every policy.
 */
final class Candidates {
    static final Candidates[] NONE = new Candidates[0];
    static final SaEntry[] NO_SAS = new SaEntry[0];

    /** What decides which SAs serve a template (see XfrmCore.serves): src and dst are null in transport mode. */
    record Key(XfrmMode mode, int ifId, IpAddress src, IpAddress dst, int reqid, int spi) {
        Endpoints endpoints() {
            return new Endpoints(mode, ifId, src, dst);
        }
    }

    /** How the SAD groups SAs for templates: mode and if_id, and the tunnel's endpoints. */
    record Endpoints(XfrmMode mode, int ifId, IpAddress src, IpAddress dst) {
    }

    final Key key;
    /** Read by workers; replaced when an SA of these endpoints comes, goes or changes rank. */
    volatile SaEntry[] sas = NO_SAS;
    /** Policies using it (writer only): at zero it is forgotten. */
    int users;

    Candidates(Key key) {
        this.key = key;
    }
}
