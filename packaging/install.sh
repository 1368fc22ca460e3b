#!/bin/sh
# Installs this release of stigmer for one user (or for all, with a system prefix):
#   PREFIX/lib/stigmer/VERSION/                      the release, as unpacked
#   PREFIX/bin/stigmer                               a symbolic link to its bin/stigmer
#   PREFIX/share/bash-completion/completions/stigmer, PREFIX/share/zsh/site-functions/_stigmer
# Each link is made beside its place and renamed over it: a second install switches versions in
# one step. An older version stays while a process runs from it (a daemon, its Temporal): those
# name their directory on their command lines. --uninstall removes what this put there, never the
# stigmer home (~/.stigmer or $STIGMER_HOME). Plain POSIX sh and coreutils; no root needed.
set -eu

usage() {
  cat <<'USAGE'
Usage: install.sh [--prefix DIR]      install this stigmer release (default prefix: ~/.local)
       install.sh --uninstall [--prefix DIR]
                                      remove stigmer from DIR (your ~/.stigmer is kept)
USAGE
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

prefix=
uninstall=
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory (see install.sh --help)" >&2; exit 2; }
              prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see install.sh --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  [ -n "${HOME:-}" ] || die "HOME is not set: name the directory with --prefix DIR"
  prefix=$HOME/.local
fi

here=$(cd "$(dirname -- "$0")" && pwd -P)
version=$(sed -n 's/^STIGMER_VERSION=//p' "$here/release" 2>/dev/null) || true
[ -n "$version" ] || die "$here is not an unpacked stigmer release (no release file): run the install.sh inside one"

mkdir -p "$prefix" 2>/dev/null || die "cannot create $prefix: choose another with --prefix DIR"
prefix=$(cd "$prefix" && pwd -P)
lib=$prefix/lib/stigmer
bin=$prefix/bin
links="bin/stigmer share/bash-completion/completions/stigmer share/zsh/site-functions/_stigmer"
work=$(mktemp -d "${TMPDIR:-/tmp}/stigmer-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
tr '\0' ' ' < /proc/$$/cmdline > "$work/self"

# Pids of the processes whose command line names directory $1 (a daemon and its Temporal name
# their jars; a CLI its -Dstigmer.dist). Not this script, nor its subshells: they share its
# command line. The pattern is read from a file, so grep's own command line never matches.
in_use() {
  printf '%s/\n' "$1" > "$work/pattern"
  for cmdline in $(grep -lsaF -f "$work/pattern" /proc/[0-9]*/cmdline 2>/dev/null); do
    [ "$(tr '\0' ' ' < "$cmdline" 2>/dev/null)" = "$(cat "$work/self")" ] && continue
    pid=${cmdline#/proc/}
    echo "${pid%/cmdline}"
  done
}

# Whether PREFIX/$1 is a link this script made (into PREFIX/lib/stigmer/).
ours() {
  [ -L "$prefix/$1" ] || return 1
  case $(readlink "$prefix/$1") in "$lib"/*) return 0 ;; *) return 1 ;; esac
}

if [ -n "$uninstall" ]; then
  if [ ! -d "$lib" ] && ! ours bin/stigmer; then
    echo "stigmer is not installed in $prefix: nothing to remove"
    exit 0
  fi
  pids=$(in_use "$lib" | tr '\n' ' ')
  [ -z "$pids" ] || die "stigmer from $lib is running (pid ${pids% }): run \`stigmer local stop\` first, then install.sh --uninstall again"
  for link in $links; do
    if ours "$link"; then rm -f "$prefix/$link"; fi
  done
  rm -rf "$lib"
  # The directories install made for the links, when nothing else is in them (bin may be on PATH: kept).
  for dir in lib share/bash-completion/completions share/bash-completion share/zsh/site-functions share/zsh share; do
    rmdir "$prefix/$dir" 2>/dev/null || true
  done
  echo "Removed stigmer from $prefix. Your stigmer home (${STIGMER_HOME:-~/.stigmer}: logs, state) is left as it was."
  exit 0
fi

for link in $links; do
  if [ -e "$prefix/$link" ] || [ -L "$prefix/$link" ]; then
    ours "$link" || die "$prefix/$link exists and is not stigmer's link: move it away, then run install.sh again"
  fi
done

dest=$lib/$version
if [ -d "$dest" ] && [ "$(cat "$dest/release" 2>/dev/null)" = "$(cat "$here/release")" ]; then
  echo "stigmer $version is already in $dest"
else
  if [ -d "$dest" ]; then # another build of the same version
    pids=$(in_use "$dest" | tr '\n' ' ')
    [ -z "$pids" ] || die "another build of stigmer $version in $dest is running (pid ${pids% }): run \`stigmer local stop\`, then install.sh again"
    rm -rf "$dest"
  fi
  mkdir -p "$lib"
  # Copied beside its place and renamed into it: no half-copied version is ever visible.
  # cp -a keeps the hard links between the class paths' shared jars, and the files' times.
  rm -rf "$lib/.new-$version"
  cp -a "$here" "$lib/.new-$version"
  mv "$lib/.new-$version" "$dest"
fi

previous=
if ours bin/stigmer; then
  previous=$(readlink "$bin/stigmer")
  previous=${previous#"$lib"/}
  previous=${previous%%/*}
fi
for link in $links; do
  mkdir -p "$prefix/${link%/*}"
  ln -s "$dest/$link" "$prefix/$link.new-$$"
  mv -Tf "$prefix/$link.new-$$" "$prefix/$link"
done
echo "Installed stigmer $version: $bin/stigmer -> $dest/bin/stigmer"

# Older versions go once nothing runs from them; the one just replaced stays for a command that
# started from it a moment ago (the next install removes it).
for old in "$lib"/*/; do
  old=${old%/}
  name=${old##*/}
  [ -d "$old" ] && [ "$name" != "$version" ] && [ "$name" != "$previous" ] || continue
  pids=$(in_use "$old" | tr '\n' ' ')
  if [ -z "$pids" ]; then
    rm -rf "$old"
    echo "Removed stigmer $name (nothing runs from it any more)"
  else
    echo "Kept stigmer $name while it runs (pid ${pids% }); the next install removes it once it has stopped"
  fi
done

case ":${PATH:-}:" in
  *":$bin:"*|*":$bin/:"*) on_path=1 ;;
  *) on_path= ;;
esac
if [ -n "$on_path" ]; then
  found=$(command -v stigmer 2>/dev/null || true)
  if [ -n "$found" ] && [ "$(readlink -f "$found")" != "$(readlink -f "$bin/stigmer")" ]; then
    echo "Note: $found comes before $bin on your PATH; run $bin/stigmer, or remove the other one"
  else
    echo "Run: stigmer local"
  fi
else
  echo "$bin is not on your PATH. Add this line to your shell's profile (~/.profile, ~/.bashrc or ~/.zshrc):"
  echo "  export PATH=\"$bin:\$PATH\""
fi
