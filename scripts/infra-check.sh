#!/usr/bin/env bash
# Compiles and lints the Bicep templates with zero warnings, then runs the ARM template tests (test/infra).
# The Bicep CLI comes from NuGet through `dotnet restore` (cached in .bicep/), from BICEP_PATH, or from PATH.
# Usage: bash scripts/infra-check.sh      (npm run infra:check)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BICEP_VERSION="0.49.2"
WORK_DIR="$ROOT/.bicep"
OUT_DIR="$WORK_DIR/out"
PACKAGES_DIR="$WORK_DIR/packages"
TEMPLATE="infra/main.bicep"
COMPILED="$OUT_DIR/main.json"

how_to_get_bicep() {
  cat >&2 <<'MSG'
infra:check needs the Bicep CLI and found none. Any one of these works:
  1. Install the .NET SDK (8 or later, https://dot.net); this script then restores the Bicep CLI from NuGet
     (package Azure.Bicep.CommandLine.<os>-<arch>) into .bicep/packages by itself.
  2. Install the Azure CLI and run `az bicep install` (the CLI lands in ~/.azure/bin/bicep, which is used).
  3. Point BICEP_PATH at an existing bicep executable: BICEP_PATH=/path/to/bicep npm run infra:check
MSG
}

bicep_runtime() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    MINGW* | MSYS* | CYGWIN*) os=win ;;
    *) echo "unsupported OS $(uname -s)" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "unsupported CPU $(uname -m)" >&2; return 1 ;;
  esac
  echo "$os-$arch"
}

find_bicep() {
  if [[ -n "${BICEP_PATH:-}" ]]; then
    [[ -x "$BICEP_PATH" ]] || { echo "BICEP_PATH=$BICEP_PATH is not an executable file" >&2; return 1; }
    echo "$BICEP_PATH"
    return 0
  fi
  if command -v dotnet >/dev/null 2>&1; then
    local runtime package exe
    runtime="$(bicep_runtime)"
    package="azure.bicep.commandline.$runtime"
    exe="$PACKAGES_DIR/$package/$BICEP_VERSION/tools/bicep"
    [[ "$runtime" == win-* ]] && exe="$exe.exe"
    if [[ ! -x "$exe" ]]; then
      echo "Restoring Bicep CLI $BICEP_VERSION ($runtime) from NuGet into .bicep/packages ..." >&2
      # Target the installed SDK's own framework (net8.0, net10.0, ...): the project only downloads a package.
      local framework
      framework="net$(dotnet --version | cut -d. -f1).0"
      dotnet restore infra/tools/bicep-cli.csproj --packages "$PACKAGES_DIR" \
        -p:BicepRuntime="$runtime" -p:TargetFramework="$framework" --verbosity quiet >&2
      chmod +x "$exe" 2>/dev/null || true
    fi
    [[ -x "$exe" ]] || { echo "dotnet restore finished but $exe is missing" >&2; return 1; }
    echo "$exe"
    return 0
  fi
  if command -v bicep >/dev/null 2>&1; then
    command -v bicep
    return 0
  fi
  if [[ -x "$HOME/.azure/bin/bicep" ]]; then
    echo "$HOME/.azure/bin/bicep"
    return 0
  fi
  return 1
}

# Runs a bicep command and fails on any diagnostic (warning or error), not only on a non-zero exit code.
run_clean() {
  local label="$1"
  shift
  local output status=0
  output="$("$BICEP" "$@" 2>&1)" || status=$?
  if [[ $status -ne 0 ]] || grep -Eq ': (Warning|Error) ' <<<"$output"; then
    printf '%s\n' "$output" >&2
    echo "infra:check: $label reported problems (warnings count as failures)." >&2
    exit 1
  fi
  [[ -n "$output" ]] && printf '%s\n' "$output"
  echo "infra:check: $label: 0 warnings, 0 errors"
}

if ! BICEP="$(find_bicep)"; then
  how_to_get_bicep
  exit 1
fi
echo "infra:check: $("$BICEP" --version)"

mkdir -p "$OUT_DIR"
run_clean "bicep build $TEMPLATE" build "$TEMPLATE" --outfile "$COMPILED"
run_clean "bicep lint $TEMPLATE" lint "$TEMPLATE"
for module in infra/app/*.bicep; do
  run_clean "bicep lint $module" lint "$module"
done

INFRA_TEMPLATE="$COMPILED" node node_modules/jest/bin/jest.js --config jest.infra.config.js
