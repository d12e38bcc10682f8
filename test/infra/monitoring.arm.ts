import { STREAM_IDS } from '../../src/streams/catalog';
import { at, compileDeployment, DeployedResource } from './support/armTemplate';

const RULES = 'Microsoft.Insights/scheduledQueryRules';
const ruleNamed = (rules: DeployedResource[], suffix: string): DeployedResource => {
  const rule = rules.find((r) => r.name.endsWith(suffix));
  if (!rule) throw new Error(`no alert rule ending in ${suffix} among ${rules.map((r) => r.name).join(', ')}`);
  return rule;
};
const queryOf = (rule: DeployedResource): string => String(at(rule.body, 'properties.criteria.allOf.0.query'));

describe('monitoring', () => {
  const deployment = compileDeployment();

  test('Application Insights is workspace-based and accepts Entra-authenticated telemetry only', () => {
    const ai = deployment.single('Microsoft.Insights/components');
    expect(at(ai.body, 'properties.DisableLocalAuth')).toBe(true);
    expect(String(at(ai.body, 'properties.WorkspaceResourceId'))).toContain('Microsoft.OperationalInsights/workspaces/log-entraexp-');
    const workspace = deployment.single('Microsoft.OperationalInsights/workspaces');
    expect(at(workspace.body, 'properties.features.disableLocalAuth')).toBe(true);
  });

  test('queue write logs reach the workspace, which the poison-queue alert reads', () => {
    const diagnostics = deployment.ofType('Microsoft.Insights/diagnosticSettings').find((d) => /queueServices\/default$/.test(String(d.body.scope)));
    if (!diagnostics) throw new Error('no diagnostic setting on the queue service');
    expect(at(diagnostics.body, 'properties.logs')).toEqual([{ category: 'StorageWrite', enabled: true }]);
  });
});

describe('alerts', () => {
  const rules = compileDeployment().ofType(RULES);

  test('a message on the poison queue alerts, from the storage queue log', () => {
    const rule = ruleNamed(rules, '-poison-queue');
    expect(String((at(rule.body, 'properties.scopes') as string[])[0])).toContain('Microsoft.OperationalInsights/workspaces/');
    expect(queryOf(rule)).toContain('StorageQueueLogs');
    expect(queryOf(rule)).toContain('"PutMessage"');
    expect(queryOf(rule)).toContain('/export-jobs-poison');
    // A new workspace has no StorageQueueLogs table yet; validation would refuse the rule.
    expect(at(rule.body, 'properties.skipQueryValidation')).toBe(true);
  });

  test('a failed job alerts, from the worker\'s ExportJobFailed trace, split by stream and code', () => {
    const rule = ruleNamed(rules, '-job-failed');
    expect(String((at(rule.body, 'properties.scopes') as string[])[0])).toContain('Microsoft.Insights/components/');
    expect(queryOf(rule)).toMatch(/^traces\n\| where message has "ExportJobFailed"/);
    expect((at(rule.body, 'properties.criteria.allOf.0.dimensions') as { name: string }[]).map((d) => d.name)).toEqual(['stream', 'code']);
  });

  test('an enabled stream without ExportJobSucceeded for the configured hours alerts; disabled streams are not watched', () => {
    const rule = ruleNamed(rules, '-stream-stale');
    expect(at(rule.body, 'properties.windowSize')).toBe('PT6H');
    expect(queryOf(rule)).toContain(`let enabled = dynamic(${JSON.stringify([...STREAM_IDS])});`);
    expect(queryOf(rule)).toContain('message has "ExportJobSucceeded"');

    const fewer = ruleNamed(compileDeployment({ streamProvisioningEnabled: false, noSuccessAlertHours: 24 }).ofType(RULES), '-stream-stale');
    expect(at(fewer.body, 'properties.windowSize')).toBe('PT24H');
    expect(queryOf(fewer)).toContain(`dynamic(${JSON.stringify(STREAM_IDS.filter((s) => s !== 'provisioning'))})`);
  });

  test('the log lines the alerts parse carry stream= (and code=) as written by the worker', () => {
    const failed = queryOf(ruleNamed(rules, '-job-failed'));
    const extract = (query: string, key: string) => {
      const pattern = new RegExp(`extract\\(@"${key}=\\(\\\\S\\+\\)", 1, message\\)`);
      return pattern.test(query);
    };
    expect(extract(failed, 'stream')).toBe(true);
    expect(extract(failed, 'code')).toBe(true);
    expect(extract(queryOf(ruleNamed(rules, '-stream-stale')), 'stream')).toBe(true);
  });

  test('windows nearing the retention edge and windows lost to it alert, from the planner\'s lines, split by stream', () => {
    const atRisk = ruleNamed(rules, '-windows-at-risk');
    expect(queryOf(atRisk)).toMatch(/^traces\n\| where message has "ExportWindowsAtRisk"/);
    expect(at(atRisk.body, 'properties.windowSize')).toBe('PT1H'); // the planner repeats the line hourly
    const lost = ruleNamed(rules, '-window-lost');
    expect(queryOf(lost)).toMatch(/^traces\n\| where message has "ExportWindowLost"/);
    expect(at(lost.body, 'properties.severity')).toBe(1);
    for (const rule of [atRisk, lost]) {
      expect(queryOf(rule)).toMatch(/extract\(@"stream=\(\\S\+\)", 1, message\)/);
      expect((at(rule.body, 'properties.criteria.allOf.0.dimensions') as { name: string }[]).map((d) => d.name)).toEqual(['stream']);
    }
  });

  test('alerts notify an e-mail action group only when an address is given', () => {
    expect(compileDeployment().ofType('Microsoft.Insights/actionGroups')).toHaveLength(0);
    for (const r of rules) expect(at(r.body, 'properties.actions.actionGroups')).toEqual([]);

    const withEmail = compileDeployment({ alertEmail: 'ops@example.com' });
    const group = withEmail.single('Microsoft.Insights/actionGroups');
    expect(at(group.body, 'properties.emailReceivers.0.emailAddress')).toBe('ops@example.com');
    for (const r of withEmail.ofType(RULES)) {
      expect(String((at(r.body, 'properties.actions.actionGroups') as string[])[0])).toContain('Microsoft.Insights/actionGroups/');
    }
  });
});
