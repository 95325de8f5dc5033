package io.netfence.tc.syntax;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Rates and sizes as tc reads and prints them ({@code man tc}, PARAMETERS). A rate is a decimal
 * number with a unit: {@code bit} (the default), {@code kbit}, {@code mbit}, {@code gbit},
 * {@code tbit} (powers of 1000), {@code kibit}... (powers of 1024), or bytes per second
 * {@code bps}, {@code kbps}, {@code mbps}... (the unit matched without case, as tc does); it is
 * kept in bytes per second, rounded down. A size is a number of bytes with {@code k}/{@code kb},
 * {@code m}/{@code mb}, {@code g}/{@code gb} (powers of 1024), {@code kbit}/{@code mbit}/
 * {@code gbit} (1024-based bits) or {@code b}.
 */
final class Units {
    private static final Pattern DECIMAL = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static final String[] RATE_UNITS = {"bit", "kibit", "kbit", "mibit", "mbit", "gibit", "gbit", "tibit", "tbit", "bps",
            "kibps", "kbps", "mibps", "mbps", "gibps", "gbps", "tibps", "tbps"};
    private static final double[] RATE_SCALES = {1, 1024, 1e3, 1024.0 * 1024, 1e6, 1024.0 * 1024 * 1024, 1e9, 1024.0 * 1024 * 1024 * 1024,
            1e12, 8, 8 * 1024, 8e3, 8.0 * 1024 * 1024, 8e6, 8.0 * 1024 * 1024 * 1024, 8e9, 8.0 * 1024 * 1024 * 1024 * 1024, 8e12};

    static final String RATE_FORM = "a rate such as 1mbit, 100kbit or 10mbps";
    static final String SIZE_FORM = "a size in bytes such as 1500, 10k or 1mb";

    private Units() {
    }

    /** A rate in bytes per second, or -1 if {@code word} is not a rate. */
    static long rate(String word) {
        int split = numberEnd(word);
        if (split <= 0) {
            return -1;
        }
        double bits = Double.parseDouble(word.substring(0, split));
        String unit = word.substring(split).toLowerCase(Locale.ROOT);
        if (!unit.isEmpty()) {
            int i = indexOf(RATE_UNITS, unit);
            if (i < 0) {
                return -1;
            }
            bits *= RATE_SCALES[i];
        }
        double bytes = bits / 8;
        return bytes >= Long.MAX_VALUE ? -1 : (long) bytes;
    }

    /** A size in bytes, or -1 if {@code word} is not a size or is not a whole number of bytes. */
    static long size(String word) {
        int split = numberEnd(word);
        if (split <= 0) {
            return -1;
        }
        double bytes = Double.parseDouble(word.substring(0, split));
        switch (word.substring(split).toLowerCase(Locale.ROOT)) {
            case "" , "b" -> {
            }
            case "k", "kb" -> bytes *= 1024;
            case "m", "mb" -> bytes *= 1024 * 1024;
            case "g", "gb" -> bytes *= 1024.0 * 1024 * 1024;
            case "kbit" -> bytes *= 1024 / 8;
            case "mbit" -> bytes *= 1024 * 1024 / 8;
            case "gbit" -> bytes *= 1024.0 * 1024 * 1024 / 8;
            default -> {
                return -1;
            }
        }
        // tc refuses sizes that are not whole bytes or do not fit 32 bits.
        if (bytes != Math.floor(bytes) || bytes > 0xFFFF_FFFFL) {
            return -1;
        }
        return (long) bytes;
    }

    /** A rate as a command word that reads back exactly: the largest decimal bit unit that divides it. */
    static String rateWord(long bytesPerSecond) {
        long bits = bytesPerSecond * 8;
        if (bits != 0 && bits % 1_000_000_000L == 0) {
            return bits / 1_000_000_000L + "gbit";
        }
        if (bits != 0 && bits % 1_000_000L == 0) {
            return bits / 1_000_000L + "mbit";
        }
        if (bits != 0 && bits % 1000 == 0) {
            return bits / 1000 + "kbit";
        }
        return bits + "bit";
    }

    /** A size as a command word that reads back exactly. */
    static String sizeWord(long bytes) {
        if (bytes != 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "m";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "k";
        }
        return Long.toString(bytes);
    }

    /** As tc prints a rate (print_rate): {@code 1Mbit}, {@code 1500Kbit}, {@code 8bit}. */
    static String printRate(long bytesPerSecond) {
        String[] units = {"", "K", "M", "G", "T"};
        long rate = bytesPerSecond * 8;
        int i = 0;
        for (; i < units.length - 1; i++) {
            if (rate < 1000) {
                break;
            }
            if (rate % 1000 != 0 && rate < 1000 * 1000) {
                break;
            }
            rate /= 1000;
        }
        return rate + units[i] + "bit";
    }

    /** As tc prints a size (print_size): {@code 10Kb}, {@code 2Mb}, {@code 1500b}. */
    static String printSize(long size) {
        double tmp = size;
        if (size >= 1024 * 1024 && Math.abs(1024 * 1024 * Math.rint(tmp / (1024 * 1024)) - size) < 1024) {
            return (long) Math.rint(tmp / (1024 * 1024)) + "Mb";
        }
        if (size >= 1024 && Math.abs(1024 * Math.rint(tmp / 1024) - size) < 16) {
            return (long) Math.rint(tmp / 1024) + "Kb";
        }
        return size + "b";
    }

    /** Where the leading decimal number of {@code word} ends (strtod's reach), 0 if there is none. */
    private static int numberEnd(String word) {
        var m = DECIMAL.matcher(word);
        return m.lookingAt() ? m.end() : 0;
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
