#!/usr/bin/env bash
# Locks the time-based immutability (WORM) policy of the exports container when the deployment asks for it
# (template parameter exportsImmutability=locked, output EXPORTS_IMMUTABILITY). azd runs it after every provisioning
# (azure.yaml, hooks.postprovision); after `az deployment sub create`, run it yourself with the outputs set.
#
# IRREVERSIBLE: once locked, nobody (Microsoft support included) can delete or overwrite an export, shorten the
# period, or delete the storage account or its resource group, until every blob is older than the period. A locked
# period can only be extended. A template deployment cannot write a locked policy, so with `locked` the template leaves
# the policy to this script: it creates it when missing, brings an unlocked one to the asked period, then locks it.
#
# Needs the Azure CLI signed in as someone with Microsoft.Storage/.../immutabilityPolicies write and lock rights on
# the account (Owner, Contributor or Storage Account Contributor on the resource group).
set -euo pipefail

usage() {
  cat <<USAGE
Usage: $(basename "$0") [--dry-run]

Reads EXPORTS_IMMUTABILITY (off, unlocked or locked), EXPORTS_IMMUTABILITY_DAYS, AZURE_RESOURCE_GROUP,
AZURE_STORAGE_ACCOUNT_NAME and AZURE_EXPORTS_CONTAINER (default exports) from the environment: azd sets them from
the deployment's outputs. Does nothing unless EXPORTS_IMMUTABILITY is locked.

  --dry-run   Show what would be done; change nothing.
  -h, --help  This text.
USAGE
}

dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

mode="${EXPORTS_IMMUTABILITY:-off}"
case "$mode" in
  off | unlocked)
    echo "Exports immutability is '$mode': nothing to lock."
    exit 0 ;;
  locked) ;;
  *) echo "EXPORTS_IMMUTABILITY must be off, unlocked or locked, not '$mode'." >&2; exit 2 ;;
esac

for name in EXPORTS_IMMUTABILITY_DAYS AZURE_RESOURCE_GROUP AZURE_STORAGE_ACCOUNT_NAME; do
  if [[ -z "${!name:-}" ]]; then
    echo "$name is not set (azd sets it from the deployment outputs)." >&2
    usage >&2
    exit 2
  fi
done
days="$EXPORTS_IMMUTABILITY_DAYS"
[[ "$days" =~ ^[1-9][0-9]*$ ]] || { echo "EXPORTS_IMMUTABILITY_DAYS must be a whole number of days, not '$days'." >&2; exit 2; }
if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is required: https://learn.microsoft.com/cli/azure/install-azure-cli" >&2
  exit 1
fi
target=(--resource-group "$AZURE_RESOURCE_GROUP" --account-name "$AZURE_STORAGE_ACCOUNT_NAME" --container-name "${AZURE_EXPORTS_CONTAINER:-exports}")

# Current policy as "<state> <etag> <days>"; no policy yet shows as an empty state or a period of 0.
read -r state etag current_days <<<"$(az storage container immutability-policy show "${target[@]}" \
  --query "[state, etag, immutabilityPeriodSinceCreationInDays]" -o tsv 2>/dev/null | tr '\t' ' ' || true)"
current_days="${current_days:-0}"

if [[ "$state" == "Locked" ]]; then
  if (( current_days >= days )); then
    echo "Exports immutability is already locked at $current_days days: unchanged."
    exit 0
  fi
  if $dry_run; then
    echo "Would extend the locked policy from $current_days to $days days (dry run)."
    exit 0
  fi
  az storage container immutability-policy extend "${target[@]}" --period "$days" --if-match "$etag" -o none
  echo "Extended the locked exports immutability from $current_days to $days days."
  exit 0
fi

if $dry_run; then
  echo "Would set the exports immutability policy to $days days and LOCK it, irreversibly (dry run)."
  exit 0
fi
if [[ -z "$state" || "$current_days" == "0" || "$current_days" != "$days" ]]; then
  # Creates the policy, or updates the unlocked one to the asked period; prints the new etag.
  create_args=("${target[@]}" --period "$days")
  [[ -n "$etag" && "$current_days" != "0" ]] && create_args+=(--if-match "$etag")
  etag="$(az storage container immutability-policy create "${create_args[@]}" --query etag -o tsv)"
  echo "Set the exports immutability policy to $days days."
fi
echo "Locking the exports immutability policy ($days days). This cannot be undone."
az storage container immutability-policy lock "${target[@]}" --if-match "$etag" -o none
echo "Exports immutability is locked at $days days."
