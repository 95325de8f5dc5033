package io.netfence.net.api;

/**
 * A refused control-plane request. The message names the field at fault and the accepted form,
 * e.g. {@code mtu "70000": expected 68-9100}. Throwing it guarantees nothing was changed.
 */
public class NetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetException(String message) {
        super(message);
    }

    public NetException(String message, Throwable cause) {
        super(message, cause);
    }
}
