package io.netfence.shell.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of one command, consumed left to right, with the checks every parser needs:
 * a keyword's value present, numbers in range, one keyword out of a list (unique prefixes
 * accepted where iproute2 accepts them).
 */
public final class Args {
    private final List<String> words;
    private int position;

    public Args(List<String> words) {
        this.words = List.copyOf(words);
    }

    public static Args of(String... words) {
        return new Args(List.of(words));
    }

    public boolean hasNext() {
        return position < words.size();
    }

    public String peek() {
        return hasNext() ? words.get(position) : null;
    }

    public String next() {
        if (!hasNext()) {
            throw new IllegalStateException("no more words");
        }
        return words.get(position++);
    }

    /** The words not consumed yet (the cursor moves to the end). */
    public List<String> rest() {
        List<String> rest = new ArrayList<>(words.subList(position, words.size()));
        position = words.size();
        return rest;
    }

    /** The value after {@code keyword}; {@code expected} describes it for the error message. */
    public String value(String keyword, String expected) {
        if (!hasNext()) {
            throw CommandException.missingValue(keyword, expected);
        }
        return next();
    }

    /** The integer after {@code keyword}, within [min, max]. */
    public int intValue(String keyword, int min, int max) {
        String expected = min + "-" + max;
        return parseInt(value(keyword, expected), keyword, min, max);
    }

    /** The long after {@code keyword}, within [min, max]. */
    public long longValue(String keyword, long min, long max) {
        String expected = min + "-" + max;
        String word = value(keyword, expected);
        long v;
        try {
            v = Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects an integer " + expected);
        }
        if (v < min || v > max) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects an integer " + expected);
        }
        return v;
    }

    public static int parseInt(String word, String keyword, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects an integer " + min + "-" + max);
        }
        if (v < min || v > max) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects an integer " + min + "-" + max);
        }
        return v;
    }

    /**
     * The first candidate that {@code word} is a prefix of (iproute2's {@code matches()}): candidates
     * are listed in the order iproute2 tries them, so "l" is link and "a" is address. Null if none.
     */
    public static String match(String word, List<String> candidates) {
        if (word.isEmpty()) {
            return null;
        }
        for (String c : candidates) {
            if (c.startsWith(word)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Splits one line of a batch file into words as iproute2's makeargs does: blanks separate
     * words, single or double quotes group them, an unquoted '#' starts a comment, a backslash
     * escapes the next character.
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (c == '#') {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new CommandException("Error: unterminated quoted string: expected a closing " + quote);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
