package io.netfence.xfrm.internal;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.internal.JceEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/** Cores on the real software backend and the JDK's engine, with a clock the test moves; closed after each test. */
abstract class CoreFixture {
    final AtomicLong clock = new AtomicLong(1_000_000);
    final List<XfrmCore> cores = new ArrayList<>();

    XfrmCore core() {
        XfrmCore c = new XfrmCore(clock::get);
        SoftwareXfrmProvider sw = new SoftwareXfrmProvider();
        sw.addEngine(new JceEngine());
        c.setSoftwareBackend(sw);
        cores.add(c);
        return c;
    }

    @AfterEach
    void close() {
        cores.forEach(XfrmCore::close);
    }
}
