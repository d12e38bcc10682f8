#!/usr/bin/env bash
# Grants the exporter's managed identity the Microsoft Graph application permissions it needs to read the
# activity logs: AuditLog.Read.All (sign-in, audit and provisioning logs) and Directory.Read.All (Graph requires it
# alongside AuditLog.Read.All for the sign-in logs). Idempotent: existing grants are listed first and kept.
#
# Needs the Azure CLI, signed in (`az login`) as someone allowed to grant application permissions, e.g. a
# Privileged Role Administrator or Global Administrator.
set -euo pipefail

GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"
GRAPH_ENDPOINT="${GRAPH_ENDPOINT:-https://graph.microsoft.com}"
# Permission name and its app role id in Microsoft Graph (the same in every tenant).
PERMISSIONS=(
  "AuditLog.Read.All b0afded3-3588-46d8-8b3d-9842eff778da"
  "Directory.Read.All 7ab1d382-f21e-4acd-a863-ba3e13f7da61"
)

usage() {
  cat <<USAGE
Usage: $(basename "$0") [--principal-id <object-id>] [--dry-run]

Grants AuditLog.Read.All and Directory.Read.All (Microsoft Graph application permissions) to the function app's
user-assigned managed identity.

  --principal-id ID  Object (principal) id of the managed identity. Default: \$AZURE_MANAGED_IDENTITY_PRINCIPAL_ID,
                     else the value azd stored for the current environment (output of infra/main.bicep).
  --dry-run          Show what would be granted; change nothing.
  -h, --help         This text.

Environment: GRAPH_ENDPOINT (default https://graph.microsoft.com) for national clouds.
A managed identity's Graph token is cached: new permissions can take a while (up to about 24 hours) to take effect.
USAGE
}

principal_id="${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:-}"
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --principal-id)
      [[ $# -ge 2 ]] || { echo "--principal-id needs a value" >&2; exit 2; }
      principal_id="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -z "$principal_id" ]] && command -v azd >/dev/null 2>&1; then
  principal_id="$(azd env get-value AZURE_MANAGED_IDENTITY_PRINCIPAL_ID 2>/dev/null || true)"
fi
if [[ -z "$principal_id" ]]; then
  echo "No managed identity principal id: pass --principal-id or set AZURE_MANAGED_IDENTITY_PRINCIPAL_ID." >&2
  usage >&2
  exit 2
fi
if ! command -v az >/dev/null 2>&1; then
  echo "The Azure CLI (az) is required: https://learn.microsoft.com/cli/azure/install-azure-cli" >&2
  exit 1
fi

graph_sp_id="$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)"
echo "Microsoft Graph service principal: $graph_sp_id"
echo "Managed identity principal:        $principal_id"

# What the identity already holds on Graph (an identity has few assignments; one page is enough).
existing="$(az rest --method GET \
  --uri "$GRAPH_ENDPOINT/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
  --query "value[?resourceId=='$graph_sp_id'].appRoleId" -o tsv)"

for entry in "${PERMISSIONS[@]}"; do
  read -r permission role_id <<<"$entry"
  published="$(az ad sp show --id "$GRAPH_APP_ID" --query "appRoles[?value=='$permission'].id | [0]" -o tsv)"
  if [[ "$published" != "$role_id" ]]; then
    echo "Graph publishes $permission as '$published', not $role_id: refusing to guess." >&2
    exit 1
  fi
  if grep -qx "$role_id" <<<"$existing"; then
    echo "$permission: already granted, unchanged."
    continue
  fi
  if $dry_run; then
    echo "$permission: would grant (dry run)."
    continue
  fi
  assignment_id="$(az rest --method POST \
    --uri "$GRAPH_ENDPOINT/v1.0/servicePrincipals/$graph_sp_id/appRoleAssignedTo" \
    --headers 'Content-Type=application/json' \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}" \
    --query id -o tsv)"
  echo "$permission: granted (assignment $assignment_id)."
done
