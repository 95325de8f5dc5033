package io.netfence.xfrm.spi;

/**
 * A backend's "no", with the reason a user can act on (never a bare EINVAL), e.g.
 * "mlx5: packet offload supports AES-GCM with a 16-byte ICV only".
 */
public class OffloadRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    public OffloadRefusal(String reason) {
        super(reason);
    }
}
