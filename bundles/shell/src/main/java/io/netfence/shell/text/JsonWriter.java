package io.netfence.shell.text;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A streaming JSON writer: objects, arrays, strings (escaped per RFC 8259), numbers, booleans, null;
 * compact ({@code {"a":1}}) or pretty (four-space indentation, one member per line).
 * Misuse (a value where a member name is due, unbalanced ends) throws IllegalStateException.
 */
public final class JsonWriter {
    private enum Scope { OBJECT, ARRAY }

    private final StringBuilder out = new StringBuilder();
    private final boolean pretty;
    private final Deque<Scope> scopes = new ArrayDeque<>();
    /** Whether the current container already holds an element (a comma is due before the next). */
    private final Deque<Boolean> nonEmpty = new ArrayDeque<>();
    private boolean nameWritten;
    private boolean done;

    public JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push(Scope.OBJECT);
        return this;
    }

    public JsonWriter endObject() {
        return end(Scope.OBJECT, '}');
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push(Scope.ARRAY);
        return this;
    }

    public JsonWriter endArray() {
        return end(Scope.ARRAY, ']');
    }

    /** The name of the next member of the current object. */
    public JsonWriter name(String name) {
        if (scopes.peek() != Scope.OBJECT || nameWritten) {
            throw new IllegalStateException("a member name is only allowed inside an object, before its value");
        }
        separate();
        appendString(name);
        out.append(pretty ? ": " : ":");
        nameWritten = true;
        return this;
    }

    /** A string value; null writes {@code null}. */
    public JsonWriter value(String value) {
        if (value == null) {
            return nullValue();
        }
        beforeValue();
        appendString(value);
        return afterScalar();
    }

    public JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return afterScalar();
    }

    /** A number; NaN and infinities have no JSON form and are written as {@code null}. */
    public JsonWriter value(double value) {
        if (!Double.isFinite(value)) {
            return nullValue();
        }
        beforeValue();
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        return afterScalar();
    }

    public JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return afterScalar();
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return afterScalar();
    }

    /** Shorthand for {@code name(name).value(value)}. */
    public JsonWriter member(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, double value) {
        return name(name).value(value);
    }

    public JsonWriter member(String name, boolean value) {
        return name(name).value(value);
    }

    /** An array member holding the given strings. */
    public JsonWriter member(String name, Iterable<String> values) {
        name(name).beginArray();
        for (String v : values) {
            value(v);
        }
        return endArray();
    }

    /** The document; throws if containers are still open or nothing was written. */
    @Override
    public String toString() {
        if (!scopes.isEmpty() || !done) {
            throw new IllegalStateException("JSON document is incomplete");
        }
        return out.toString();
    }

    private void push(Scope scope) {
        scopes.push(scope);
        nonEmpty.push(Boolean.FALSE);
    }

    private JsonWriter end(Scope scope, char close) {
        if (scopes.peek() != scope || nameWritten) {
            throw new IllegalStateException("no open " + scope.name().toLowerCase(java.util.Locale.ROOT) + " to end here");
        }
        scopes.pop();
        boolean hadElements = nonEmpty.pop();
        if (pretty && hadElements) {
            newline();
        }
        out.append(close);
        done = scopes.isEmpty();
        return this;
    }

    private void beforeValue() {
        if (done) {
            throw new IllegalStateException("a JSON document holds a single top-level value");
        }
        Scope scope = scopes.peek();
        if (scope == Scope.OBJECT) {
            if (!nameWritten) {
                throw new IllegalStateException("an object member needs a name before its value");
            }
            nameWritten = false;
        } else if (scope == Scope.ARRAY) {
            separate();
        }
    }

    /** A scalar written at top level is the whole document. */
    private JsonWriter afterScalar() {
        done = scopes.isEmpty();
        return this;
    }

    private void separate() {
        if (nonEmpty.peek()) {
            out.append(',');
        }
        nonEmpty.pop();
        nonEmpty.push(Boolean.TRUE);
        if (pretty) {
            newline();
        }
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < scopes.size(); i++) {
            out.append("    ");
        }
    }

    private void appendString(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // control characters, and the line/paragraph separators that break JavaScript
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
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
