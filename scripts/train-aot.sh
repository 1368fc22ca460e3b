#!/usr/bin/env bash
# Builds JDK 25 AOT caches (JEP 483/514) after a build: LIB/aot/cli.aot for the CLI, whose
# start-up is what a user waits on, LIB/aot/embedded.aot for the embedded Temporal, whose
# start-up is what a crash costs, and LIB/aot/daemon.aot for the daemon, which a cold start waits on. Each cache is trained by one real run with the exact classpath
# its users pass (jars sorted by byte order, as Installation.classpath sorts them). A JVM that
# cannot use a cache (another JDK build, another classpath) ignores it silently. The caches live
# in the build directory they were trained on (its real path, as Installation resolves it).
# Usage: scripts/train-aot.sh JAVA_HOME LIB   (LIB: the real path of a build, e.g. build/lib-<stamp>)
set -uo pipefail
java=$1/bin/java
lib=$2
aot=$lib/aot
rm -rf "$aot"; mkdir -p "$aot"
cp_of() { ls "$lib/$1"/*.jar | LC_ALL=C sort | paste -sd: ; }
log=$aot/train.log
home=$(mktemp -d /tmp/stigmer-aot-XXXXXX)
trap 'rm -rf "$home"' EXIT

# The CLI: start and status against a stand-in daemon in another JVM (see AotTraining), so the
# cache holds the client's classes and not the server's: every class in it is loaded at start-up.
STIGMER_HOME=$home/home "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(cp_of cli)" -Dstigmer.dist="${lib%/build/*}" \
  dev.stigmer.cli.AotTraining serve >>"$log" 2>&1 &
server=$!
for _ in $(seq 200); do [[ -S $home/home/run/daemon.sock ]] && break; sleep 0.05; done
STIGMER_HOME=$home/home "$java" -XX:AOTCacheOutput="$aot/cli.aot" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Djdk.reflect.useNativeAccessorOnly=true \
  --enable-native-access=ALL-UNNAMED -Dstigmer.dist="${lib%/build/*}" -cp "$(cp_of cli)" dev.stigmer.cli.AotTraining \
  >>"$log" 2>&1
# `local status [--json]`, the call scripts and crowds repeat, gets a cache of its own: the classes
# it needs and no more (all of a cache's classes load at start-up).
STIGMER_HOME=$home/home "$java" -XX:AOTCacheOutput="$aot/status.aot" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Djdk.reflect.useNativeAccessorOnly=true \
  --enable-native-access=ALL-UNNAMED -Dstigmer.dist="${lib%/build/*}" -cp "$(cp_of cli)" dev.stigmer.cli.AotTraining status \
  >>"$log" 2>&1
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
cp_of cli > "$aot/cli.classpath"

# The embedded Temporal: start it on a free port, wait until it accepts, stop it (the cache is written at exit).
port=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$(( 20000 + RANDOM % 20000 )); done
"$java" -XX:AOTCacheOutput="$aot/embedded.aot" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx256m \
  --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$(cp_of embedded)" dev.stigmer.embedded.EmbeddedTemporal --ip 127.0.0.1 --port "$port" >>"$log" 2>&1 &
pid=$!
# Real health checks, so the cache also holds the server's request path (the first answer to
# the daemon's probe is what a restart waits for), not only its start-up.
for _ in 1 2 3; do
  "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$(cp_of daemon)" dev.stigmer.health.GrpcHealthProbe \
    127.0.0.1 "$port" temporal.api.workflowservice.v1.WorkflowService 30000 >>"$log" 2>&1
done
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
# The daemon: the exact command line the CLI spawns, trained on a real start of Temporal and of a
# small stack (a one-shot, an HTTP service with readiness and liveness probes, a log probe), status
# calls, a killed service's restart and a stop; the cache is written as the daemon exits. A
# throw-away root whose build/lib is this build makes every path (classpath, caches) this build's.
dist=$home/dist
mkdir -p "$dist/build" "$home/daemon-home" "$home/stack"
ln -s "$lib" "$dist/build/lib"
cli() { STIGMER_HOME=$home/daemon-home STIGMER_TEMPORAL_PORT=$port "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  --enable-native-access=ALL-UNNAMED -Dstigmer.dist="$dist" -cp "$(cp_of cli)" "$@"; }
mapfile -t daemon < <(cli dev.stigmer.cli.AotTraining daemon-command 2>>"$log")
web=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>/dev/tcp/127.0.0.1/$web) 2>/dev/null; do web=$(( 20000 + RANDOM % 20000 )); done
serve="python3, -m, http.server, \"$web\", --bind, 127.0.0.1"
command -v python3 >/dev/null 2>&1 || serve="sh, -c, \"exec sleep 600\""
cat > "$home/stack/stigmer.yaml" <<EOF
services:
  once:
    command: [sh, -c, "exit 0"]
    restart: "no"
  web:
    command: [$serve]
    port: $web
    depends_on:
      once: {condition: completed}
      temporal: {condition: healthy}
    ready: {http: "http://127.0.0.1:$web/", interval: 250ms, timeout: 1s}
    health: {tcp: $web, interval: 1s, timeout: 1s, failures: 3}
  sleeper:
    command: [sh, -c, "echo started; exec sleep 600"]
    depends_on: [web]
    ready: {log: started}
EOF
if (( ${#daemon[@]} > 2 )); then
  (cd "$home/daemon-home" && STIGMER_HOME=$home/daemon-home STIGMER_COMPONENT=daemon exec setsid "${daemon[0]}" \
    -XX:AOTCacheOutput="$aot/daemon.aot" "${daemon[@]:1}" >>"$log" 2>&1 </dev/null) &
  trainee=$!
  for _ in $(seq 400); do [[ -S $home/daemon-home/run/daemon.sock ]] && break; sleep 0.05; done
  {
    cli dev.stigmer.cli.Main local -f "$home/stack/stigmer.yaml"
    cli dev.stigmer.cli.Main local status
    cli dev.stigmer.cli.Main local status --json
    for victim in $(ps -eo pid=,args= | awk '$2 == "sleep" && $3 == "600" {print $1}'); do # a crash to heal
      grep -qsaF "STIGMER_HOME=$home/daemon-home" "/proc/$victim/environ" && kill -KILL "$victim"
    done
    sleep 1.5
    cli dev.stigmer.cli.Main local status
    cli dev.stigmer.cli.Main local stop
  } >>"$log" 2>&1
  wait "$trainee" 2>/dev/null
fi

touch "$aot/.trained" # tried: the launcher does not try again until the next build
[[ -f $aot/cli.aot && -f $aot/embedded.aot && -f $aot/daemon.aot ]] || echo "stigmer: AOT caches were not built (see $log); starting without them" >&2
exit 0
