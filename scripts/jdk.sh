# Sourced by ./stigmer and ./test: finds a JDK 25 or newer and sets STIGMER_JAVA_HOME.
# Looks at JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/* (STIGMER_JVM_DIR overrides that). Reads each JDK's `release`
# file rather than starting a JVM, so the look-up costs nothing on every run.

jdk_feature_version() { # $1 = a JDK home; prints its feature version (25, 17, ...) or nothing
  local release="$1/release" version
  [[ -f $release && -x $1/bin/java ]] || return 0
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  [[ $version == 1 ]] && version=8
  echo "$version"
}

find_jdk25() {
  local candidates=() home v
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in "${STIGMER_JVM_DIR:-/usr/lib/jvm}"/*; do candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    v=$(jdk_feature_version "$home")
    if [[ -n $v && $v -ge 25 ]]; then
      STIGMER_JAVA_HOME=$home
      return 0
    fi
  done
  echo "stigmer: needs a JDK 25 or newer, and none was found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm)." >&2
  echo "  Install one, e.g. Temurin 25 (apt-get install temurin-25-jdk from adoptium.net's repository), then set JAVA_HOME to it." >&2
  return 1
}
