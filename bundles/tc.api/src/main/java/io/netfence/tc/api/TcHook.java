package io.netfence.tc.api;

/** The two hooks of {@code clsact} ({@code ingress} has only the first). */
public enum TcHook {
    INGRESS("ingress"),
    EGRESS("egress");

    private final String word;

    TcHook(String word) {
        this.word = word;
    }

    /** The word tc uses: {@code ingress} or {@code egress}. */
    public String word() {
        return word;
    }
}
