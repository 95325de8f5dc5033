package io.netfence.tc.api;

/** What a filter matches with: {@code flower}, {@code u32} or {@code matchall}. */
public sealed interface Classifier permits FlowerMatch, U32Match, MatchAll {
    /** tc's name for the classifier kind. */
    String kind();
}
