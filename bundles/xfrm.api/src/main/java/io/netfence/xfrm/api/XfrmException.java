package io.netfence.xfrm.api;

/** A refused xfrm request; the message names the field at fault and the accepted form. Nothing changed. */
public class XfrmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XfrmException(String message) {
        super(message);
    }
}
