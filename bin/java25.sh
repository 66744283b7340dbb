# Sourced by ./dossier, ./run-tests and .ci/run: points JAVA_HOME at a Java 25+ JDK.
# Order: $JAVA_HOME if it is 25+, then the usual install locations, then `java` on PATH.

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

find_java25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* \
      /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /usr/lib/jvm/* /opt/java/openjdk /opt/jdk* \
      "$HOME"/.sdkman/candidates/java/current \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    local major
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_java25); then
  echo "error: Dossier needs a Java 25 (or newer) JDK; none found in JAVA_HOME, /usr/lib/jvm, /opt or on PATH." >&2
  echo "       Install one (for example Temurin 25) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
