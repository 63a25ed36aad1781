import * as fs from 'fs';
import * as path from 'path';
import { ConfigRecorder } from '@groundwork/security-baseline';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_DIR, exampleConfig, tmpOutdir } from './helpers';
import {
  COMMERCIAL_REGIONS,
  canRecordIam,
  loadPlatformConfig,
  PlatformConfig,
  PlatformEnvironment,
} from '../src/config';
import { EnvironmentStage } from '../src/environment-stage';
import { accountHomes, composePlatform, Platform } from '../src/platform';

// Template validation at synth is not what this file tests, and costs seconds per stack.
process.env.CDK_VALIDATION = 'false';

/** The example config with dev and test in one account (333333333333): dev in `devRegion`, test in `testRegion`. */
function oneAccountTwoRegions(devRegion: string, testRegion: string): PlatformConfig {
  const dir = tmpOutdir('account-home');
  fs.cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  const edit = (name: string, change: (text: string) => string) => {
    const file = path.join(dir, 'environments', `${name}.yaml`);
    fs.writeFileSync(file, change(fs.readFileSync(file, 'utf-8')));
  };
  // Auto-reconcile reaches the pipeline only in the tooling region (eu-west-1).
  edit('dev', (t) =>
    t.replace('region: eu-west-1', `region: ${devRegion}`).replace('autoReconcile: true', 'autoReconcile: false'),
  );
  edit('test', (t) =>
    t
      .replace('account: "444444444444"', 'account: "333333333333"')
      .replace('region: eu-west-1', `region: ${testRegion}`)
      .replace('autoReconcile: true', 'autoReconcile: false'),
  );
  return loadPlatformConfig(dir);
}

function security(platform: Platform, name: string): Template {
  return Template.fromStack(platform.stages.find((s) => s.stageName === name)!.security);
}

const ruleIdentifiers = (template: Template) =>
  Object.values(template.findResources('AWS::Config::ConfigRule')).map((r) => r.Properties.Source.SourceIdentifier);

describe('an account with environments in two regions (dev in eu-west-1, test in eu-central-1)', () => {
  const platform = composePlatform(
    new App({ outdir: tmpOutdir('two-regions') }),
    oneAccountTwoRegions('eu-west-1', 'eu-central-1'),
    {
      complianceGate: [],
    },
  );
  const dev = security(platform, 'dev');
  const tst = security(platform, 'test');

  test('one multi-region audit trail for the account, in its home environment (the first one: dev)', () => {
    const trails = [dev, tst].map((t) => Object.keys(t.findResources('AWS::CloudTrail::Trail')).length);
    expect(trails).toEqual([1, 0]);
    dev.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
  });

  test('the CIS metric filters, alarms and dashboard with the trail only', () => {
    const count = (t: Template, type: string) => Object.keys(t.findResources(type)).length;
    expect([count(dev, 'AWS::Logs::MetricFilter'), count(tst, 'AWS::Logs::MetricFilter')]).toEqual([21, 0]);
    expect([count(dev, 'AWS::CloudWatch::Alarm'), count(tst, 'AWS::CloudWatch::Alarm')]).toEqual([19, 0]);
    expect([count(dev, 'AWS::CloudWatch::Dashboard'), count(tst, 'AWS::CloudWatch::Dashboard')]).toEqual([1, 0]);
  });

  test("both keep their region's routing of GuardDuty findings and Config non-compliance to the alarm topic", () => {
    for (const template of [dev, tst]) {
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      expect(rules.map((r) => r.Properties.EventPattern.source).sort()).toEqual([['aws.config'], ['aws.guardduty']]);
      expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toHaveLength(1);
      expect(Object.keys(template.findResources('AWS::GuardDuty::Detector'))).toHaveLength(1);
      expect(Object.keys(template.findResources('AWS::Config::ConfigurationRecorder'))).toHaveLength(1);
    }
  });

  test('IAM is recorded in the home environment only', () => {
    dev.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    tst.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false },
    });
  });
});

describe('the home environment is the first one whose region records IAM', () => {
  // dev comes first (wave nonprod, then name), in Zurich, where AWS Config records no IAM resources.
  const config = oneAccountTwoRegions('eu-central-2', 'eu-west-1');
  const platform = composePlatform(new App({ outdir: tmpOutdir('zurich-first') }), config, { complianceGate: [] });
  const dev = security(platform, 'dev');
  const tst = security(platform, 'test');

  test('dev (eu-central-2) is listed first, but test (eu-west-1) records IAM and holds the trail', () => {
    expect(config.environments.map((e) => `${e.name}:${e.region}`).slice(0, 2)).toEqual([
      'dev:eu-central-2',
      'test:eu-west-1',
    ]);
    expect(accountHomes(config.environments).get('333333333333')).toBe('test');
    tst.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    dev.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false },
    });
    expect(Object.keys(tst.findResources('AWS::CloudTrail::Trail'))).toHaveLength(1);
    expect(Object.keys(dev.findResources('AWS::CloudTrail::Trail'))).toHaveLength(0);
  });

  test('the Config rules AWS Config does not offer in eu-central-2 are left out there, not in eu-west-1', () => {
    expect(ruleIdentifiers(dev)).not.toContain('IAM_USER_NO_POLICIES_CHECK');
    expect(ruleIdentifiers(dev)).not.toContain('ROOT_ACCOUNT_MFA_ENABLED');
    expect(ruleIdentifiers(dev)).toContain('INCOMING_SSH_DISABLED');
    expect(ruleIdentifiers(tst)).toEqual(
      expect.arrayContaining(['IAM_USER_NO_POLICIES_CHECK', 'ROOT_ACCOUNT_MFA_ENABLED']),
    );
  });
});

describe('accountHomes', () => {
  const base = exampleConfig().environments;
  const env = (name: string, account: string, region: string, configRecorder = true): PlatformEnvironment => {
    const template = base[0];
    return {
      ...template,
      name,
      account,
      region: region as PlatformEnvironment['region'],
      security: { ...template.security, configRecorder },
    };
  };

  test('one home per account: its first environment with a recorder in a region that records IAM', () => {
    const homes = accountHomes([
      env('a', '111', 'eu-central-2'),
      env('b', '111', 'eu-west-1', false),
      env('c', '111', 'eu-west-2'),
      env('d', '222', 'us-east-1'),
    ]);
    expect(Object.fromEntries(homes)).toEqual({ 111: 'c', 222: 'd' });
  });

  test('without any recorder in the account: its first environment (the trail still needs one home)', () => {
    expect(
      Object.fromEntries(accountHomes([env('a', '111', 'eu-central-2', false), env('b', '111', 'eu-west-1', false)])),
    ).toEqual({
      111: 'a',
    });
  });

  test('recorders in regions that cannot record IAM only: an error (the config validation reports it first)', () => {
    expect(() => accountHomes([env('a', '111', 'eu-central-2'), env('b', '111', 'eu-west-1', false)])).toThrow(
      /^account 111: expected an environment with security.configRecorder true in a region where AWS Config records IAM resources, found none/,
    );
  });
});

test('the platform and @groundwork/security-baseline agree on the regions where AWS Config records IAM', () => {
  for (const region of COMMERCIAL_REGIONS) {
    expect({ region, platform: canRecordIam(region) }).toEqual({
      region,
      platform: ConfigRecorder.canRecordGlobalResources(region),
    });
  }
});

describe('security.accessAnalyzer', () => {
  const config = exampleConfig();
  const dev = config.environments.find((e) => e.name === 'dev')!;
  const stageWith = (accessAnalyzer: boolean) =>
    new EnvironmentStage(new App({ outdir: tmpOutdir('access-analyzer') }), 'dev', {
      // Without auto-reconcile, which needs the tooling account's reconciler (platform.ts).
      environment: {
        ...dev,
        drift: { ...dev.drift, autoReconcile: false },
        security: { ...dev.security, accessAnalyzer },
      },
      groundwork: config.groundwork,
      pipelineName: 'example-platform',
      accountHome: true,
    });

  test('defaults to true: an account-level analyzer in every environment', () => {
    expect(dev.security.accessAnalyzer).toBe(true);
    Template.fromStack(stageWith(true).security).resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
  });

  test('false where the account already has one in the region: no analyzer (AWS allows one per account and region)', () => {
    const template = Template.fromStack(stageWith(false).security);
    template.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
    template.resourceCountIs('AWS::GuardDuty::Detector', 1);
  });
});
