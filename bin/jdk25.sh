# Sourced by ./netfence and ./run-tests: exports JAVA_HOME pointing at a JDK >= 25.
# Order: $JAVA_HOME if it is 25 or newer, else the newest JDK >= 25 under /usr/lib/jvm.
netfence_java_major() { # prints the feature version of the java binary $1, or 0 (the user's JVM options do not take part: a bad one would read as "no JDK")
  env -u JDK_JAVA_OPTIONS -u JAVA_TOOL_OPTIONS "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1 | grep -E '^[0-9]+$' || echo 0
}
netfence_find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(netfence_java_major "$JAVA_HOME/bin/java")" -ge 25 ]; then
    return 0
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -x "$d/bin/javac" ] || continue
    v=$(netfence_java_major "$d/bin/java")
    if [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  if [ -z "$best" ]; then
    # Name the default java only if there is one: running a missing one would add the shell's own
    # "command not found" line to what must stay one sentence.
    local seen="there is no java on PATH"
    if command -v java >/dev/null 2>&1; then
      seen="the default java is $(java -version 2>&1 | head -1)"
    fi
    echo "Netfence needs a JDK 25 or newer: set JAVA_HOME to one, or install one under /usr/lib/jvm (found none; $seen)." >&2
    return 1
  fi
  export JAVA_HOME=$best
}
