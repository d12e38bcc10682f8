import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileDeployment, loadCompiledTemplate } from './support/armTemplate';

const ROOT = resolve(__dirname, '..', '..');
const AUDIT_LOG_READ_ALL = 'b0afded3-3588-46d8-8b3d-9842eff778da';
const DIRECTORY_READ_ALL = '7ab1d382-f21e-4acd-a863-ba3e13f7da61';

describe('azd wiring', () => {
  test('azure.yaml deploys the project as the function service "api" from infra/main.bicep', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function\n/m);
    expect(yaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main\n/m);
  });

  test('main.parameters.json fills azd\'s environment name and location, and names only real parameters', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    expect(file.parameters.environmentName.value).toBe('${AZURE_ENV_NAME}');
    expect(file.parameters.location.value).toBe('${AZURE_LOCATION}');
    const declared = Object.keys((loadCompiledTemplate().parameters ?? {}) as object);
    expect(Object.keys(file.parameters).filter((p) => !declared.includes(p))).toEqual([]);
  });

  test('the outputs azd stores include the app, its host name, the storage account and the identity', () => {
    const outputs = compileDeployment().outputs();
    for (const name of ['SERVICE_API_NAME', 'AZURE_FUNCTION_APP_NAME', 'AZURE_FUNCTION_APP_HOST_NAME', 'AZURE_STORAGE_ACCOUNT_NAME', 'AZURE_MANAGED_IDENTITY_PRINCIPAL_ID', 'AZURE_MANAGED_IDENTITY_CLIENT_ID', 'AZURE_RESOURCE_GROUP']) {
      expect(outputs[name]).toBeDefined();
    }
    expect(String(outputs.AZURE_FUNCTION_APP_NAME)).toMatch(/^func-entraexp-/);
    expect(String(outputs.AZURE_MANAGED_IDENTITY_PRINCIPAL_ID)).toMatch(/userAssignedIdentities.*\.principalId>$/);
  });
});

describe('infra/scripts/grant-graph-permissions.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'grant-graph-'));
    // A stand-in for the Azure CLI: answers the look-ups, records every POST body.
    writeFileSync(
      join(dir, 'az'),
      [
        '#!/usr/bin/env bash',
        'args="$*"',
        'case "$args" in',
        '  "ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv") echo graph-sp ;;',
        `  *"appRoles[?value=='AuditLog.Read.All']"*) echo ${AUDIT_LOG_READ_ALL} ;;`,
        `  *"appRoles[?value=='Directory.Read.All']"*) echo ${DIRECTORY_READ_ALL} ;;`,
        '  "rest --method GET"*) printf "%s" "$FAKE_EXISTING" ;;',
        '  "rest --method POST"*) echo "$args" >> "$FAKE_LOG"; echo assignment-1 ;;',
        '  *) echo "unexpected az call: $args" >&2; exit 9 ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(dir, 'az'), 0o755);
    // An azd without an environment, so a developer's own azd cannot supply a principal id.
    writeFileSync(join(dir, 'azd'), '#!/usr/bin/env bash\nexit 1\n');
    chmodSync(join(dir, 'azd'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (existing: string[], args: string[] = ['--principal-id', 'mi-principal']) => {
    const log = join(dir, 'posts.log');
    writeFileSync(log, '');
    const result = spawnSync('bash', [join(ROOT, 'infra', 'scripts', 'grant-graph-permissions.sh'), ...args], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, FAKE_EXISTING: existing.join('\n'), FAKE_LOG: log },
    });
    return { ...result, posts: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  };

  test('grants both permissions to the identity when it has none', () => {
    const result = run([]);
    expect(result.status).toBe(0);
    expect(result.posts).toHaveLength(2);
    expect(result.posts[0]).toContain('/servicePrincipals/graph-sp/appRoleAssignedTo');
    expect(result.posts[0]).toContain(`{"principalId":"mi-principal","resourceId":"graph-sp","appRoleId":"${AUDIT_LOG_READ_ALL}"}`);
    expect(result.posts[1]).toContain(`"appRoleId":"${DIRECTORY_READ_ALL}"`);
    expect(result.stdout).toContain('AuditLog.Read.All: granted');
  });

  test('is idempotent: a permission already granted is not posted again', () => {
    const result = run([AUDIT_LOG_READ_ALL]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('AuditLog.Read.All: already granted, unchanged.');
    expect(result.posts).toHaveLength(1);
    expect(result.posts[0]).toContain(DIRECTORY_READ_ALL);
    expect(run([AUDIT_LOG_READ_ALL, DIRECTORY_READ_ALL]).posts).toHaveLength(0);
  });

  test('a dry run changes nothing; a missing principal id is a usage error', () => {
    const dry = run([], ['--principal-id', 'mi-principal', '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.posts).toHaveLength(0);
    expect(dry.stdout).toContain('Directory.Read.All: would grant (dry run).');
    const missing = run([], []);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('Usage:');
  });
});

describe('infra/scripts/lock-exports-immutability.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-worm-'));
    // A stand-in for the Azure CLI: answers `show` from FAKE_POLICY ("<state> <etag> <days>", empty = no policy), records every change.
    writeFileSync(
      join(dir, 'az'),
      [
        '#!/usr/bin/env bash',
        'args="$*"',
        'case "$args" in',
        '  "storage container immutability-policy show"*) [[ -n "$FAKE_POLICY" ]] || exit 3; printf "%s\\t%s\\t%s\\n" $FAKE_POLICY ;;',
        '  "storage container immutability-policy create"*) echo "$args" >> "$FAKE_LOG"; echo etag-created ;;',
        '  "storage container immutability-policy lock"*|"storage container immutability-policy extend"*) echo "$args" >> "$FAKE_LOG" ;;',
        '  *) echo "unexpected az call: $args" >&2; exit 9 ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(dir, 'az'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const outputs = { EXPORTS_IMMUTABILITY: 'locked', EXPORTS_IMMUTABILITY_DAYS: '2555', AZURE_RESOURCE_GROUP: 'rg-prod', AZURE_STORAGE_ACCOUNT_NAME: 'stabc' };
  const run = (policy: string, env: Record<string, string> = outputs, args: string[] = []) => {
    const log = join(dir, 'changes.log');
    writeFileSync(log, '');
    const result = spawnSync('bash', [join(ROOT, 'infra', 'scripts', 'lock-exports-immutability.sh'), ...args], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, FAKE_POLICY: policy, FAKE_LOG: log, ...env },
    });
    return { ...result, changes: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  };
  const target = '--resource-group rg-prod --account-name stabc --container-name exports';

  test('does nothing unless the deployment asked for locked immutability', () => {
    for (const mode of ['off', 'unlocked']) {
      const result = run('', { ...outputs, EXPORTS_IMMUTABILITY: mode });
      expect(result.status).toBe(0);
      expect(result.changes).toEqual([]);
      expect(result.stdout).toContain('nothing to lock');
    }
  });

  test('creates the policy when there is none, then locks it with the new etag', () => {
    const result = run('');
    expect(result.status).toBe(0);
    expect(result.changes).toEqual([
      `storage container immutability-policy create ${target} --period 2555 --query etag -o tsv`,
      `storage container immutability-policy lock ${target} --if-match etag-created -o none`,
    ]);
  });

  test('locks an unlocked policy of the asked period as it is, and brings another period to the asked one first', () => {
    expect(run('Unlocked etag-1 2555').changes).toEqual([`storage container immutability-policy lock ${target} --if-match etag-1 -o none`]);
    expect(run('Unlocked etag-1 400').changes).toEqual([
      `storage container immutability-policy create ${target} --period 2555 --if-match etag-1 --query etag -o tsv`,
      `storage container immutability-policy lock ${target} --if-match etag-created -o none`,
    ]);
  });

  test('leaves a locked policy alone, or only extends it (a locked period cannot shrink)', () => {
    const locked = run('Locked etag-2 3000');
    expect(locked.changes).toEqual([]);
    expect(locked.stdout).toContain('already locked at 3000 days');
    expect(run('Locked etag-2 400').changes).toEqual([`storage container immutability-policy extend ${target} --period 2555 --if-match etag-2 -o none`]);
  });

  test('a dry run changes nothing; missing outputs are a usage error', () => {
    const dry = run('', outputs, ['--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.changes).toEqual([]);
    expect(dry.stdout).toContain('LOCK it, irreversibly (dry run)');
    const missing = run('', { EXPORTS_IMMUTABILITY: 'locked' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('Usage:');
  });
});

describe('azd hook', () => {
  test('azure.yaml runs the lock script after provisioning', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^hooks:\n(?: {2}#.*\n)* {2}postprovision:\n {4}posix:\n {6}shell: sh\n {6}run: bash infra\/scripts\/lock-exports-immutability\.sh\n/m);
    expect(compileDeployment().outputs()).toMatchObject({ EXPORTS_IMMUTABILITY: 'off' });
  });
});
