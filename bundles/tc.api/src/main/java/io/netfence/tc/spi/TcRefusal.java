package io.netfence.tc.spi;

/** Why a provider did not take a block or a filter; {@code tc filter show} prints it with not_in_hw. */
public record TcRefusal(String provider, String reason) {
    @Override
    public String toString() {
        return provider + ": " + reason;
    }
}
