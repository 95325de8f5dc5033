package io.netfence.tc.syntax;

import io.netfence.tc.api.TcException;
import java.util.List;

/**
 * The words of one tc command, consumed left to right, with the checks every part of the grammar
 * needs: the value after a keyword, numbers read the way iproute2's {@code get_u32}/{@code
 * get_integer} read them (base 0: {@code 0x} hex, leading {@code 0} octal, else decimal), and
 * iproute2's {@code matches()} abbreviation rule. Every error names the word at fault and the
 * accepted form.
 */
final class Words {
    private final List<String> words;
    private int position;

    Words(List<String> words) {
        this.words = List.copyOf(words);
    }

    boolean atEnd() {
        return position >= words.size();
    }

    /** The next word, or null at the end. */
    String peek() {
        return atEnd() ? null : words.get(position);
    }

    boolean peekIs(String word) {
        return word.equals(peek());
    }

    String next() {
        if (atEnd()) {
            throw new IllegalStateException("no more words");
        }
        return words.get(position++);
    }

    /** Consumes the next word if it is {@code word}. */
    boolean take(String word) {
        if (peekIs(word)) {
            position++;
            return true;
        }
        return false;
    }

    /** The word after {@code keyword}; {@code expected} describes it when it is missing. */
    String value(String keyword, String expected) {
        if (atEnd()) {
            throw missing(keyword, expected);
        }
        return next();
    }

    /** The unsigned number after {@code keyword} in {@code base} (0: C rules), at most {@code max}. */
    long unsigned(String keyword, int base, long max, String expected) {
        String word = value(keyword, expected);
        long v = parseUnsigned(word, base);
        if (v < 0 || v > max) {
            throw invalid(keyword, word, expected);
        }
        return v;
    }

    /** The signed int after {@code keyword} (C strtol base 0). */
    int signed(String keyword, String expected) {
        String word = value(keyword, expected);
        Long v = parseSigned(word);
        if (v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw invalid(keyword, word, expected);
        }
        return v.intValue();
    }

    /** iproute2's matches(): {@code word} is a non-empty prefix of {@code keyword}. */
    static boolean matches(String word, String keyword) {
        return !word.isEmpty() && keyword.startsWith(word);
    }

    /**
     * An unsigned number as strtoul reads it with {@code base} (0: {@code 0x} hex, leading 0
     * octal, else decimal; 16: optional {@code 0x}), the whole word and nothing else; -1 if it is
     * not one or does not fit 63 bits.
     */
    static long parseUnsigned(String word, int base) {
        String digits = word;
        int radix = base;
        if (base == 0 || base == 16) {
            if (digits.length() > 2 && digits.charAt(0) == '0' && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')) {
                digits = digits.substring(2);
                radix = 16;
            } else if (base == 0) {
                radix = digits.length() > 1 && digits.charAt(0) == '0' ? 8 : 10;
            }
        }
        if (digits.isEmpty() || digits.length() > 21) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                return -1;
            }
        }
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A signed number as strtol base 0 reads it, or null. */
    static Long parseSigned(String word) {
        boolean negative = word.startsWith("-");
        long magnitude = parseUnsigned(negative || word.startsWith("+") ? word.substring(1) : word, 0);
        if (magnitude < 0) {
            return null;
        }
        return negative ? -magnitude : magnitude;
    }

    /** "{@code where}: unknown {@code what} '{@code token}': expected {@code expected}". */
    static TcException unknown(String where, String what, String token, String expected) {
        return new TcException(where + ": unknown " + what + " '" + token + "': expected " + expected);
    }

    /** "{@code where}: invalid '{@code token}': expected {@code expected}". */
    static TcException invalid(String where, String token, String expected) {
        return new TcException(where + ": invalid '" + token + "': expected " + expected);
    }

    /** "{@code where}: missing value: expected {@code expected}". */
    static TcException missing(String where, String expected) {
        return new TcException(where + ": missing value: expected " + expected);
    }

    /** "{@code where}: '{@code token}' is not supported ({@code why})". */
    static TcException unsupported(String where, String token, String why) {
        return new TcException(where + ": '" + token + "' is not supported: " + why);
    }
}
