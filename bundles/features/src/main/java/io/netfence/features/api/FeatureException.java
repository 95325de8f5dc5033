package io.netfence.features.api;

/** A refused feature operation; nothing was changed. The message is one sentence for the operator. */
public class FeatureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FeatureException(String message) {
        super(message);
    }

    public FeatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
