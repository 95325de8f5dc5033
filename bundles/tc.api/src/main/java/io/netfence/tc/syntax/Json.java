package io.netfence.tc.syntax;

/**
 * A streaming JSON writer laid out like iproute2's json_writer: compact, or with {@code -p} four
 * spaces per level, one member per line, arrays opened as {@code "[ "} and elements separated by
 * a bare comma ({@code "[ {...},{...} ]"}).
 */
final class Json {
    private final StringBuilder out;
    private final boolean pretty;
    private int depth;
    /** What must precede the next element: ',' after an element, nothing at the start of a container. */
    private char separator;

    Json(StringBuilder out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    void beginObject() {
        begin('{');
    }

    void endObject() {
        end('}');
    }

    void beginArray() {
        begin('[');
        if (pretty) {
            out.append(' ');
        }
    }

    void endArray() {
        if (pretty && separator != 0) {
            out.append(' ');
        }
        separator = 0;
        end(']');
    }

    void name(String name) {
        separate();
        newline();
        separator = 0;
        string(name);
        out.append(pretty ? ": " : ":");
    }

    void value(Object value) {
        separate();
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Number n -> out.append(n);
            default -> string(value.toString());
        }
    }

    private void begin(char c) {
        separate();
        out.append(c);
        depth++;
        separator = 0;
    }

    private void end(char c) {
        depth--;
        if (separator != 0) {
            newline();
        }
        out.append(c);
        separator = ',';
    }

    private void separate() {
        if (separator != 0) {
            out.append(separator);
        }
        separator = ',';
    }

    private void newline() {
        if (pretty) {
            out.append('\n');
            out.append("    ".repeat(depth));
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
