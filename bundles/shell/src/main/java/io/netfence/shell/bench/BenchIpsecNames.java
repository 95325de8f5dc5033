package io.netfence.shell.bench;

import java.util.List;

/** The suite names of {@code bench esp}, apart from {@link BenchIpsec} so that parsing links no xfrm type. */
final class BenchIpsecNames {
    static final List<String> SUITES = List.of("aes-128-gcm", "aes-256-gcm", "chacha20-poly1305", "aes-128-cbc-hmac-sha256");

    private BenchIpsecNames() {
    }
}
