package io.netfence.tc.syntax;

import java.util.Locale;

/**
 * One show output, text or JSON, written through the same calls the way iproute2's print_*
 * helpers work: {@link #any} prints a formatted value as text or a member as JSON, {@link #text}
 * and {@link #nl} only reach the text, {@link #member} and the object/array calls only the JSON.
 * Each printer is therefore written once for both forms.
 */
final class Printout {
    private final boolean json;
    private final StringBuilder out = new StringBuilder();
    private final Json writer;

    Printout(boolean json, boolean pretty) {
        this.json = json;
        this.writer = json ? new Json(out, pretty) : null;
    }

    /** PRINT_ANY: text {@code String.format(format, value)}; JSON member {@code key: value}. */
    Printout any(String key, String format, Object value) {
        if (json) {
            member(key, value);
        } else {
            out.append(String.format(Locale.ROOT, format, value));
        }
        return this;
    }

    /** PRINT_FP: text only. */
    Printout text(String s) {
        if (!json) {
            out.append(s);
        }
        return this;
    }

    /** print_nl: a line break in text. */
    Printout nl() {
        return text("\n");
    }

    /** PRINT_JSON: a member in JSON only. */
    Printout member(String key, Object value) {
        if (json) {
            if (key != null) {
                writer.name(key);
            }
            writer.value(value);
        }
        return this;
    }

    Printout openObject(String key) {
        if (json) {
            if (key != null) {
                writer.name(key);
            }
            writer.beginObject();
        }
        return this;
    }

    Printout closeObject() {
        if (json) {
            writer.endObject();
        }
        return this;
    }

    Printout openArray(String key) {
        if (json) {
            if (key != null) {
                writer.name(key);
            }
            writer.beginArray();
        }
        return this;
    }

    Printout closeArray() {
        if (json) {
            writer.endArray();
        }
        return this;
    }

    /** The output; JSON ends with a newline as tc's does. */
    String result() {
        return json ? out + "\n" : out.toString();
    }
}
