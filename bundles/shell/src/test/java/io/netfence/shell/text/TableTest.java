package io.netfence.shell.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCellAndLinesHaveNoTrailingBlanks() {
        Table t = Table.withHeader("NAME", "STATE", "TITLE")
                .row("netfence-shell", "yes", "Shell")
                .row("x", "no", "");
        assertEquals("""
                NAME            STATE  TITLE
                netfence-shell  yes    Shell
                x               no""", t.render());
    }

    @Test
    void rightAlignmentIndentSeparatorAndMinimumWidths() {
        Table t = new Table(3).indent("    ").separator(" ").alignRight(0, 1).minWidth(0, 6).minWidth(2, 4)
                .row(1, 22, "a")
                .row(333, 4444444, null);
        assertEquals("         1      22 a\n       333 4444444", t.render());
        assertArrayEquals(new int[] {6, 7, 4}, t.widths());
    }

    @Test
    void padding() {
        assertEquals("   ab", Table.padLeft("ab", 5));
        assertEquals("ab   ", Table.padRight("ab", 5));
        assertEquals("abcdef", Table.padLeft("abcdef", 3));
    }

    @Test
    void tooManyCellsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Table(2).row("a", "b", "c"));
    }
}
