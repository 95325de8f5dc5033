package io.netfence.tc.api;

/** {@code matchall}: every packet of the filter's protocol. */
public record MatchAll() implements Classifier {
    @Override
    public String kind() {
        return "matchall";
    }
}
