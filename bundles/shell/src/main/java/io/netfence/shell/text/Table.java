package io.netfence.shell.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aligned text columns: each column as wide as its widest cell (or a minimum width), left- or
 * right-aligned, separated by a fixed string, every line preceded by an indent. Lines never end
 * in spaces. The one column formatter of the shell: tables, counter blocks and listings use it.
 */
public final class Table {
    private final int columns;
    private final boolean[] rightAligned;
    private final int[] minWidth;
    private String separator = "  ";
    private String indent = "";
    private final List<String[]> rows = new ArrayList<>();

    public Table(int columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.columns = columns;
        this.rightAligned = new boolean[columns];
        this.minWidth = new int[columns];
    }

    /** A table whose first row is the given header. */
    public static Table withHeader(String... header) {
        Table t = new Table(header.length);
        t.row((Object[]) header);
        return t;
    }

    public Table separator(String separator) {
        this.separator = separator;
        return this;
    }

    public Table indent(String indent) {
        this.indent = indent;
        return this;
    }

    public Table alignRight(int... columnIndexes) {
        for (int c : columnIndexes) {
            rightAligned[c] = true;
        }
        return this;
    }

    public Table minWidth(int column, int width) {
        minWidth[column] = width;
        return this;
    }

    /** Adds a row; cells are printed with {@link String#valueOf(Object)}, missing cells are empty. */
    public Table row(Object... cells) {
        if (cells.length > columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns + " columns");
        }
        String[] row = new String[columns];
        Arrays.fill(row, "");
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? "" : String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The width each column gets: its widest cell, at least its minimum width. */
    public int[] widths() {
        int[] widths = minWidth.clone();
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        return widths;
    }

    /** The rendered lines joined by '\n', without a trailing newline. */
    public String render() {
        return String.join("\n", lines());
    }

    public List<String> lines() {
        int[] widths = widths();
        List<String> lines = new ArrayList<>(rows.size());
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            sb.setLength(0);
            sb.append(indent);
            for (int c = 0; c < columns; c++) {
                if (c > 0) {
                    sb.append(separator);
                }
                String cell = row[c];
                if (rightAligned[c]) {
                    sb.append(padLeft(cell, widths[c]));
                } else {
                    sb.append(c == columns - 1 ? cell : padRight(cell, widths[c]));
                }
            }
            lines.add(stripTrailing(sb));
        }
        return lines;
    }

    public static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    public static String padRight(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String stripTrailing(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return sb.substring(0, end);
    }
}
