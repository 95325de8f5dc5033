package io.netfence.tc.api;

/** A refused tc request; the message names the token at fault and the accepted form. Nothing changed. */
public class TcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TcException(String message) {
        super(message);
    }
}
