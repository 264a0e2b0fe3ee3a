#!/usr/bin/env bash
# Builds one self-contained rmq executable per platform with `deno compile`:
#   dist/rmq-<target>[.exe]
#
# Usage: ./compile.sh [--check] [TARGET...]
#   TARGET    one or more of the targets below (default: all of them)
#   --check   verify everything up to the runtime download (type-check, module graph,
#             output names), then try the download once; if it is unreachable, say so
#             plainly and exit 0. CI uses this where dl.deno.land cannot be reached.
#
# `deno compile` embeds the program into a Deno runtime (denort) that it downloads from
# dl.deno.land for each target. DENORT_BIN=/path/to/denort uses a local runtime instead;
# since a denort binary is built for one platform, only the host target is built then.
set -euo pipefail
cd "$(dirname "$0")"

DENO_VERSION=2.9.6
ALL_TARGETS=(
  x86_64-unknown-linux-gnu
  aarch64-unknown-linux-gnu
  x86_64-apple-darwin
  aarch64-apple-darwin
  x86_64-pc-windows-msvc
)

if command -v deno >/dev/null 2>&1 && deno --version | grep -q "^deno ${DENO_VERSION} "; then
  DENO=(deno)
else
  DENO=(npx -y "deno@${DENO_VERSION}")
fi

check=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compile.sh: unknown option $arg" >&2; exit 2 ;;
    *)
      if [[ ! " ${ALL_TARGETS[*]} " =~ " ${arg} " ]]; then
        echo "compile.sh: unknown target $arg (one of: ${ALL_TARGETS[*]})" >&2
        exit 2
      fi
      targets+=("$arg") ;;
  esac
done

host_target() {
  local arch os
  arch=$(uname -m)
  case "$arch" in arm64) arch=aarch64 ;; amd64) arch=x86_64 ;; esac
  case "$(uname -s)" in
    Linux) os=unknown-linux-gnu ;;
    Darwin) os=apple-darwin ;;
    MINGW*|MSYS*|CYGWIN*) os=pc-windows-msvc ;;
    *) echo "compile.sh: cannot tell the host target for $(uname -s)" >&2; exit 1 ;;
  esac
  echo "${arch}-${os}"
}

if [[ ${#targets[@]} -eq 0 ]]; then
  if [[ -n "${DENORT_BIN:-}" ]]; then targets=("$(host_target)"); else targets=("${ALL_TARGETS[@]}"); fi
fi
if [[ -n "${DENORT_BIN:-}" && ! -x "${DENORT_BIN}" ]]; then
  echo "compile.sh: DENORT_BIN=${DENORT_BIN} is not an executable file" >&2
  exit 1
fi

# Everything before the download: the program type-checks and its whole module graph
# (npm packages included) resolves, so a failure past this point is only the runtime.
"${DENO[@]}" check main.ts
"${DENO[@]}" info main.ts >/dev/null
mkdir -p dist

output_for() {
  if [[ "$1" == *windows* ]]; then echo "dist/rmq-$1.exe"; else echo "dist/rmq-$1"; fi
}

built=0
for t in "${targets[@]}"; do
  out=$(output_for "$t")
  echo "compile.sh: building $out"
  log=$(mktemp)
  if "${DENO[@]}" compile -A --no-check --target "$t" --output "$out" main.ts >"$log" 2>&1; then
    rm -f "$log"
    built=$((built + 1))
    continue
  fi
  reason=$(grep -m1 -E "error sending request|dns error|Connect|timed out|Could not find denort" "$log" || true)
  if grep -qE "error sending request|dns error|failed to lookup|Connection refused|timed out" "$log"; then
    rm -f "$log"
    msg="compile.sh: cannot download the Deno runtime (denort ${DENO_VERSION}) for $t from dl.deno.land: unreachable here"
    if [[ $check -eq 1 ]]; then
      echo "$msg; download skipped (everything up to it checked: type-check, module graph, targets)"
      exit 0
    fi
    echo "$msg (set DENORT_BIN to a local denort to build the host target)" >&2
    exit 1
  fi
  echo "compile.sh: deno compile failed for $t: ${reason:-see below}" >&2
  cat "$log" >&2
  rm -f "$log"
  exit 1
done
echo "compile.sh: built $built executable(s) in dist/"
