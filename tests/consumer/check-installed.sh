#!/usr/bin/env bash
# Installs a configured and built portico-cache into a temporary DESTDIR, checks the installed
# portico-cache.pc, then compiles consumer.cpp against the installed copy through pkg-config,
# linked once with the shared library and once with the static one, and runs both programs.
#
# usage: check-installed.sh BUILD_DIR CONSUMER_CPP
# environment: CXX (default c++), CONSUMER_CXXFLAGS (e.g. the build's -fsanitize flags),
#              KEEP_DESTDIR=1 keeps the temporary directory for inspection.
# Exits 77 (skipped, for meson test) when no compiler or pkg-config is available, or when the
# build directory is not fully built.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 BUILD_DIR CONSUMER_CPP" >&2
  exit 2
fi
build_dir="$(cd "$1" && pwd)"
consumer_cpp="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cxx="${CXX:-c++}"
read -r -a extra_flags <<<"${CONSUMER_CXXFLAGS:-}"

for tool in "${cxx%% *}" pkg-config meson; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check-installed: $tool not found; skipping" >&2
    exit 77
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/portico-consumer.XXXXXX")"
if [[ "${KEEP_DESTDIR:-0}" == 1 ]]; then
  echo "check-installed: keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi
destdir="$work/destdir"

echo "check-installed: installing $build_dir into $destdir"
# meson test builds only what the tests need, while installing needs every installed target
# (tools/dev and 'ninja test' build everything first). Skip rather than build it all here.
if ! meson install -C "$build_dir" --no-rebuild --quiet --destdir "$destdir" \
  >"$work/install.log" 2>&1; then
  if grep -q "could not be found" "$work/install.log"; then
    grep "could not be found" "$work/install.log" >&2
    echo "check-installed: $build_dir is not fully built (run ninja -C $build_dir); skipping" >&2
    exit 77
  fi
  cat "$work/install.log" >&2
  exit 1
fi

pc="$(find "$destdir" -name portico-cache.pc -path '*/pkgconfig/*' | head -n 1)"
[[ -n "$pc" ]] || { echo "check-installed: no portico-cache.pc was installed" >&2; exit 1; }
lib_so="$(find "$destdir" -name 'libportico-cache.so' | head -n 1)"
lib_a="$(find "$destdir" -name 'libportico-cache.a' | head -n 1)"
[[ -n "$lib_so" ]] || { echo "check-installed: no libportico-cache.so was installed" >&2; exit 1; }
[[ -n "$lib_a" ]] || { echo "check-installed: no libportico-cache.a was installed" >&2; exit 1; }
libdir="$(dirname "$lib_so")"

# The installed .pc names its prefix (/usr/local by default); the sysroot maps it into DESTDIR.
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$destdir"

echo "check-installed: $pc"
sed 's/^/  /' "$pc"
requires="$(pkg-config --print-requires --print-requires-private portico-cache)"
if grep -Eiq '^(msgpack|doctest)' <<<"$requires"; then
  echo "check-installed: portico-cache.pc requires a module Debian has no .pc for:" >&2
  echo "$requires" >&2
  exit 1
fi
if ! pkg-config --exists --print-errors portico-cache; then
  echo "check-installed: pkg-config cannot resolve portico-cache and its requirements" >&2
  exit 1
fi
read -r -a cflags <<<"$(pkg-config --cflags portico-cache)"
read -r -a libs <<<"$(pkg-config --libs portico-cache)"
read -r -a static_libs <<<"$(pkg-config --static --libs portico-cache)"
if [[ " ${cflags[*]} " != *" -DMSGPACK_NO_BOOST "* ]]; then
  echo "check-installed: Cflags lack -DMSGPACK_NO_BOOST: ${cflags[*]}" >&2
  exit 1
fi

# Static: the archive itself, then everything Libs.private and Requires.private add.
static_rest=()
for arg in "${static_libs[@]}"; do
  [[ "$arg" == -lportico-cache ]] || static_rest+=("$arg")
done

echo "check-installed: compiling $(basename "$consumer_cpp")"
set -x
# shellcheck disable=SC2086 # CXX may carry a launcher such as ccache
$cxx -std=c++20 -Wall -Wextra "${extra_flags[@]}" "${cflags[@]}" \
  -c "$consumer_cpp" -o "$work/consumer.o"
$cxx "${extra_flags[@]}" "$work/consumer.o" -o "$work/consumer-shared" "${libs[@]}"
$cxx "${extra_flags[@]}" "$work/consumer.o" -o "$work/consumer-static" "$lib_a" "${static_rest[@]}"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/consumer-shared"
"$work/consumer-static"
{ set +x; } 2>/dev/null

# ldd's output is captured first: piped straight into `grep -q`, which exits at the first
# match, ldd could die of SIGPIPE and fail the pipeline under pipefail.
loaded="$(LD_LIBRARY_PATH="$libdir" ldd "$work/consumer-shared")"
if grep -q "libportico-cache.so.* => $libdir/" <<<"$loaded"; then
  echo "check-installed: the shared program loads $libdir/$(basename "$lib_so")"
else
  echo "check-installed: the shared program does not load the installed library:" >&2
  echo "$loaded" >&2
  exit 1
fi
echo "check-installed: OK"
