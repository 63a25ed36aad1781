import { Template } from 'aws-cdk-lib/assertions';
import { CisBenchmarkVersion, FindingPublishingFrequency, ThreatDetection } from '../src';
import { newStack } from './util';

describe('ThreatDetection', () => {
  test('defaults: GuardDuty, Security Hub with FSBP and CIS 3.0, account Access Analyzer', () => {
    const stack = newStack();
    new ThreatDetection(stack, 'Threats');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
    });
    template.hasResourceProperties('AWS::SecurityHub::Hub', {
      EnableDefaultStandards: false,
      AutoEnableControls: true,
      ControlFindingGenerator: 'SECURITY_CONTROL',
    });
    template.resourceCountIs('AWS::SecurityHub::Standard', 2);
    const arn = (path: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:eu-west-1::standards/${path}`]],
    });
    const hubId = Object.keys(template.findResources('AWS::SecurityHub::Hub'))[0];
    template.hasResource('AWS::SecurityHub::Standard', {
      Properties: { StandardsArn: arn('aws-foundational-security-best-practices/v/1.0.0') },
      DependsOn: [hubId],
    });
    template.hasResource('AWS::SecurityHub::Standard', {
      Properties: { StandardsArn: arn('cis-aws-foundations-benchmark/v/3.0.0') },
      DependsOn: [hubId],
    });
    template.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT' });
  });

  test('each part switchable', () => {
    const stack = newStack();
    const threats = new ThreatDetection(stack, 'Threats', {
      enableGuardDuty: false,
      enableSecurityHub: false,
      enableAccessAnalyzer: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
    template.resourceCountIs('AWS::SecurityHub::Hub', 0);
    template.resourceCountIs('AWS::SecurityHub::Standard', 0);
    template.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
    expect(threats.detector).toBeUndefined();
  });

  test('standards switchable, CIS version and frequency selectable', () => {
    const stack = newStack();
    new ThreatDetection(stack, 'Threats', {
      enableFoundationalBestPractices: false,
      cisBenchmarkVersion: CisBenchmarkVersion.V1_4_0,
      findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecurityHub::Standard', 1);
    template.hasResourceProperties('AWS::SecurityHub::Standard', {
      StandardsArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0',
          ],
        ],
      },
    });
    template.hasResourceProperties('AWS::GuardDuty::Detector', { FindingPublishingFrequency: 'ONE_HOUR' });
  });

  test('rejects standards without Security Hub, naming the standard', () => {
    expect(
      () => new ThreatDetection(newStack(), 'Threats', { enableSecurityHub: false, enableCisBenchmark: true }),
    ).toThrow(
      /^Test\/Threats: invalid enableCisBenchmark: expected unset or false when enableSecurityHub is false \(standards need Security Hub\), found true$/,
    );
    expect(
      () =>
        new ThreatDetection(newStack(), 'Threats', { enableSecurityHub: false, enableFoundationalBestPractices: true }),
    ).toThrow(
      /^Test\/Threats: invalid enableFoundationalBestPractices: expected unset or false when enableSecurityHub/,
    );
    // Standards switched off explicitly with the hub are fine.
    new ThreatDetection(newStack(), 'Threats', {
      enableSecurityHub: false,
      enableFoundationalBestPractices: false,
      enableCisBenchmark: false,
    });
  });

  // An option of a service that is off would do nothing: a switch flipped by accident while its settings
  // remain in config would go unnoticed.
  test.each<[string, ConstructorParameters<typeof ThreatDetection>[2], RegExp]>([
    [
      'a finding publishing frequency without GuardDuty',
      { enableGuardDuty: false, findingPublishingFrequency: FindingPublishingFrequency.ONE_HOUR },
      /^Test\/Threats: invalid findingPublishingFrequency: expected unset when enableGuardDuty is false \(it would do nothing\), found "ONE_HOUR"$/,
    ],
    [
      'a CIS version without Security Hub',
      { enableSecurityHub: false, cisBenchmarkVersion: CisBenchmarkVersion.V1_4_0 },
      /^Test\/Threats: invalid cisBenchmarkVersion: expected unset when enableSecurityHub is false \(it would do nothing\), found "1.4.0"$/,
    ],
    [
      'a CIS version without the CIS standard',
      { enableCisBenchmark: false, cisBenchmarkVersion: CisBenchmarkVersion.V3_0_0 },
      /^Test\/Threats: invalid cisBenchmarkVersion: expected unset when enableCisBenchmark is false \(it would do nothing\), found "3.0.0"$/,
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new ThreatDetection(newStack(), 'Threats', props)).toThrow(message);
  });

  // From JavaScript or YAML config, "false" is a non-empty string: it would count as true and switch the service on.
  test.each([
    'enableGuardDuty',
    'enableSecurityHub',
    'enableFoundationalBestPractices',
    'enableCisBenchmark',
    'enableAccessAnalyzer',
  ] as const)('rejects %s as the string "false"', (prop) => {
    expect(() => new ThreatDetection(newStack(), 'Threats', { [prop]: 'false' as unknown as boolean })).toThrow(
      new RegExp(`^Test/Threats: invalid ${prop}: expected true, false or unset \\(a boolean\\), found "false"$`),
    );
  });

  // Typed in TypeScript, but free text in JavaScript or YAML config.
  test.each<[string, ConstructorParameters<typeof ThreatDetection>[2], RegExp]>([
    [
      'a finding publishing frequency that is not a FindingPublishingFrequency value',
      { findingPublishingFrequency: 'HOURLY' as FindingPublishingFrequency },
      /^Test\/Threats: invalid findingPublishingFrequency: expected one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, found "HOURLY"$/,
    ],
    [
      // CIS 1.2.0 has a ruleset/ ARN, not standards/.../v/1.2.0: the ARN built from it would not exist.
      'a CIS version the enum does not offer',
      { cisBenchmarkVersion: '1.2.0' as CisBenchmarkVersion },
      /^Test\/Threats: invalid cisBenchmarkVersion: expected one of 1.4.0, 3.0.0, found "1.2.0"$/,
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new ThreatDetection(newStack(), 'Threats', props)).toThrow(message);
  });
});
