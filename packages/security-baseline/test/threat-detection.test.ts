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

  test('rejects standards without Security Hub', () => {
    expect(
      () => new ThreatDetection(newStack(), 'Threats', { enableSecurityHub: false, enableCisBenchmark: true }),
    ).toThrow(
      /Test\/Threats: invalid enableFoundationalBestPractices\/enableCisBenchmark: expected unset or false when enableSecurityHub is false, found true/,
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
