package io.netfence.tc.api;

/** {@code action KIND index N} alone: binds shared action N of that kind, which must exist. */
public record ActionRef(String kind, int index) implements Action {
    public ActionRef {
        if (index <= 0) {
            throw new TcException("index: expected the index of an existing " + kind + " action");
        }
    }

    @Override
    public Control control() {
        return Control.PIPE;
    }

    @Override
    public Action withIndex(int i) {
        return new ActionRef(kind, i);
    }
}
