package io.netfence.shell.ip;

import java.io.BufferedReader;
import java.io.IOException;

/** Opens the file named after {@code -batch} ("-" is the command's standard input). */
@FunctionalInterface
public interface BatchInput {
    BufferedReader open(String name) throws IOException;
}
