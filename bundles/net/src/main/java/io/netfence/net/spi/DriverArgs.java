package io.netfence.net.spi;

import io.netfence.net.api.NetException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * For port drivers: walks iproute2-style {@code KEYWORD VALUE} pairs and words every refusal so that it names the bad
 * word and the accepted form.
 */
public final class DriverArgs {
    private final String usage;
    private final List<String> args;
    private final Set<String> seen = new HashSet<>();
    private int next;

    public DriverArgs(String usage, List<String> args) {
        this.usage = usage;
        this.args = args;
    }

    public boolean hasNext() {
        return next < args.size();
    }

    /** The next word, which must be one of {@code keywords} and not seen before. */
    public String keyword(Set<String> keywords) {
        String word = args.get(next++);
        if (!keywords.contains(word)) {
            throw new NetException("unknown argument \"" + word + "\": expected " + usage);
        }
        if (!seen.add(word)) {
            throw new NetException("argument \"" + word + "\" given twice: expected " + usage);
        }
        return word;
    }

    /** The word after {@code keyword}. */
    public String value(String keyword, String form) {
        if (next >= args.size()) {
            throw new NetException("argument \"" + keyword + "\" is missing its value: expected " + keyword + " " + form);
        }
        return args.get(next++);
    }

    public static NetException refuse(String keyword, String value, String expected) {
        return new NetException(keyword + " \"" + value + "\": expected " + expected);
    }

    /**
     * A decimal whole number in [min, max]; a k, M or G suffix multiplies by a thousand, a million or
     * a billion when {@code suffixes} is set.
     */
    public static long number(String keyword, String value, long min, long max, boolean suffixes, String expected) {
        int digits = value.length();
        long multiplier = 1;
        if (suffixes && digits > 1) {
            switch (value.charAt(digits - 1)) {
                case 'k', 'K' -> multiplier = 1_000L;
                case 'm', 'M' -> multiplier = 1_000_000L;
                case 'g', 'G' -> multiplier = 1_000_000_000L;
                default -> multiplier = 1;
            }
            if (multiplier != 1) {
                digits--;
            }
        }
        if (digits == 0 || digits > 18) {
            throw refuse(keyword, value, expected);
        }
        long n = 0;
        for (int i = 0; i < digits; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw refuse(keyword, value, expected);
            }
            n = n * 10 + (c - '0');
        }
        if (n > max / multiplier) {
            throw refuse(keyword, value, expected);
        }
        n *= multiplier;
        if (n < min || n > max) {
            throw refuse(keyword, value, expected);
        }
        return n;
    }
}
