/**
 * scripts/ensure-chromium.sh (run by `.ci/run` and `npm test`): with no browser present it installs Debian's
 * chromium with apt-get when it can (root), and says what to do when it cannot. The system's own browser is never
 * touched: CHROMIUM_CANDIDATES points the script at paths in a temporary folder, and `apt-get` and `id` are
 * stand-ins on PATH that record their arguments (the install "creates" the browser where the package puts it).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'scripts', 'ensure-chromium.sh');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ensure-chromium-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tool(name: string, body: string): void {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function run(options: { uid: string; aptCreates: boolean; chromiumPath?: string }) {
  const browser = join(dir, 'chromium');
  tool('id', `echo ${options.uid}`);
  tool('apt-get', [`echo "$*" >> ${join(dir, 'apt.log')}`, options.aptCreates ? `case "$*" in *install*) printf '#!/bin/sh\\n' > ${browser}; chmod +x ${browser};; esac` : ''].join('\n'));
  const env: NodeJS.ProcessEnv = { PATH: `${dir}:/usr/bin:/bin`, CHROMIUM_CANDIDATES: `${browser} ${join(dir, 'chromium-browser')}` };
  if (options.chromiumPath) env.CHROMIUM_PATH = options.chromiumPath;
  const result = spawnSync('bash', [script], { env, encoding: 'utf8' });
  const aptLog = existsSync(join(dir, 'apt.log')) ? readFileSync(join(dir, 'apt.log'), 'utf8').trim().split('\n') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, aptLog, installed: existsSync(browser) };
}

describe('scripts/ensure-chromium.sh', () => {
  it('does nothing when a browser is present', () => {
    tool('chromium-browser', 'exit 0');
    const result = run({ uid: '0', aptCreates: true });
    expect({ status: result.status, aptLog: result.aptLog }).toEqual({ status: 0, aptLog: [] });
  });

  it('takes CHROMIUM_PATH when it names a browser', () => {
    tool('my-chrome', 'exit 0');
    const result = run({ uid: '0', aptCreates: true, chromiumPath: join(dir, 'my-chrome') });
    expect({ status: result.status, aptLog: result.aptLog }).toEqual({ status: 0, aptLog: [] });
  });

  it('installs Debian\'s chromium with apt-get when absent and running as root', () => {
    const result = run({ uid: '0', aptCreates: true });
    expect({ status: result.status, aptLog: result.aptLog, installed: result.installed }).toEqual({
      status: 0,
      aptLog: ['update -qq', 'install -y -qq chromium'],
      installed: true,
    });
    expect(result.stdout).toContain('installing chromium');
  });

  it('fails, naming CHROMIUM_PATH, when apt-get succeeds but no browser appears', () => {
    const result = run({ uid: '0', aptCreates: false });
    expect(result.status).toBe(1);
    expect(result.aptLog).toEqual(['update -qq', 'install -y -qq chromium']);
    expect(result.stderr).toContain('CHROMIUM_PATH');
  });

  it('says what to install when not root, without calling apt-get', () => {
    const result = run({ uid: '1000', aptCreates: true });
    expect({ status: result.status, aptLog: result.aptLog }).toEqual({ status: 1, aptLog: [] });
    expect(result.stderr).toContain('sudo apt-get install -y chromium');
  });
});
