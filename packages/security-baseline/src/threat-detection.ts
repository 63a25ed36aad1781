import { Stack } from 'aws-cdk-lib';
import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { propError, requireBoolean, requireOneOf, requireUnsetWhenOff } from './private/validation';

/** Version of the CIS AWS Foundations Benchmark standard in Security Hub. */
export enum CisBenchmarkVersion {
  /** CIS AWS Foundations Benchmark v1.4.0. */
  V1_4_0 = '1.4.0',
  /** CIS AWS Foundations Benchmark v3.0.0. */
  V3_0_0 = '3.0.0',
}

/** How often GuardDuty publishes updates of existing findings to EventBridge. */
export enum FindingPublishingFrequency {
  /** Every 15 minutes. */
  FIFTEEN_MINUTES = 'FIFTEEN_MINUTES',
  /** Every hour. */
  ONE_HOUR = 'ONE_HOUR',
  /** Every 6 hours (the GuardDuty default). */
  SIX_HOURS = 'SIX_HOURS',
}

/** Properties of ThreatDetection. */
export interface ThreatDetectionProps {
  /**
   * Create a GuardDuty detector. Turn off when GuardDuty is already enabled in the account and
   * region, by whatever means: by hand, by the organization's auto-enable, or by a delegated
   * administrator. GuardDuty allows one detector per account and region, so a second one fails
   * the stack.
   *
   * @default true
   */
  readonly enableGuardDuty?: boolean;

  /**
   * How often GuardDuty publishes updated findings. Only with `enableGuardDuty` (an error when it is false).
   *
   * @default FindingPublishingFrequency.FIFTEEN_MINUTES
   */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;

  /**
   * Enable Security Hub. Turn off when Security Hub is already enabled in the account and region, by
   * whatever means: by hand, by the organization's auto-enable, by a delegated administrator, or by
   * Security Hub central configuration. The account has one hub per region, so enabling it again
   * fails the stack.
   *
   * @default true
   */
  readonly enableSecurityHub?: boolean;

  /**
   * Enable the AWS Foundational Security Best Practices standard (needs Security Hub).
   *
   * @default true
   */
  readonly enableFoundationalBestPractices?: boolean;

  /**
   * Enable the CIS AWS Foundations Benchmark standard (needs Security Hub).
   *
   * @default true
   */
  readonly enableCisBenchmark?: boolean;

  /**
   * CIS benchmark version. Only with the CIS standard (an error when `enableSecurityHub` or `enableCisBenchmark`
   * is false).
   *
   * @default CisBenchmarkVersion.V3_0_0
   */
  readonly cisBenchmarkVersion?: CisBenchmarkVersion;

  /**
   * Create an account-level IAM Access Analyzer. Turn off where the account already has one in the
   * region: AWS allows one account-level analyzer per account and region, and a second one fails.
   *
   * @default true
   */
  readonly enableAccessAnalyzer?: boolean;
}

/** GuardDuty, Security Hub (FSBP and CIS standards) and IAM Access Analyzer, each switchable. */
export class ThreatDetection extends Construct {
  /** The GuardDuty detector, when enabled. */
  public readonly detector?: guardduty.CfnDetector;
  /** The Security Hub hub, when enabled. */
  public readonly hub?: securityhub.CfnHub;
  /** The Security Hub standards subscribed. */
  public readonly standards: securityhub.CfnStandard[] = [];
  /** The IAM Access Analyzer, when enabled. */
  public readonly analyzer?: accessanalyzer.CfnAnalyzer;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    // Typed in TypeScript, but free in JavaScript or YAML config, where "false" (a non-empty string) would
    // count as true and switch a service on.
    for (const prop of [
      'enableGuardDuty',
      'enableSecurityHub',
      'enableFoundationalBestPractices',
      'enableCisBenchmark',
      'enableAccessAnalyzer',
    ] as const) {
      requireBoolean(this, prop, props[prop]);
    }
    const guardDuty = props.enableGuardDuty ?? true;
    const securityHub = props.enableSecurityHub ?? true;
    const fsbp = props.enableFoundationalBestPractices ?? true;
    const cis = props.enableCisBenchmark ?? true;
    // Options of a service that is off would do nothing: refused, like the options of a part that is off.
    if (!guardDuty) {
      requireUnsetWhenOff(
        this,
        'findingPublishingFrequency',
        props.findingPublishingFrequency,
        'enableGuardDuty is false',
      );
    }
    if (!securityHub) {
      for (const prop of ['enableFoundationalBestPractices', 'enableCisBenchmark'] as const) {
        if (props[prop] === true) {
          throw propError(
            this,
            prop,
            'unset or false when enableSecurityHub is false (standards need Security Hub)',
            true,
          );
        }
      }
      requireUnsetWhenOff(this, 'cisBenchmarkVersion', props.cisBenchmarkVersion, 'enableSecurityHub is false');
    } else if (!cis) {
      requireUnsetWhenOff(this, 'cisBenchmarkVersion', props.cisBenchmarkVersion, 'enableCisBenchmark is false');
    }

    // Typed in TypeScript, but free text in JavaScript or YAML config: a wrong value would only fail
    // at deployment (or, for the CIS version, build the ARN of a standard that does not exist).
    const findingPublishingFrequency = props.findingPublishingFrequency ?? FindingPublishingFrequency.FIFTEEN_MINUTES;
    requireOneOf(
      this,
      'findingPublishingFrequency',
      findingPublishingFrequency,
      Object.values(FindingPublishingFrequency),
    );
    const cisVersion = props.cisBenchmarkVersion ?? CisBenchmarkVersion.V3_0_0;
    requireOneOf(this, 'cisBenchmarkVersion', cisVersion, Object.values(CisBenchmarkVersion));

    if (guardDuty) {
      this.detector = new guardduty.CfnDetector(this, 'Detector', {
        enable: true,
        findingPublishingFrequency,
      });
    }

    if (securityHub) {
      const hub = new securityhub.CfnHub(this, 'Hub', {
        // Standards are subscribed explicitly below so that they are visible and switchable here.
        enableDefaultStandards: false,
        autoEnableControls: true,
        // One finding per control across standards instead of one per standard.
        controlFindingGenerator: 'SECURITY_CONTROL',
      });
      this.hub = hub;
      const standardArn = (path: string) => `arn:${stack.partition}:securityhub:${stack.region}::standards/${path}`;
      if (fsbp) {
        this.addStandard('FoundationalBestPractices', standardArn('aws-foundational-security-best-practices/v/1.0.0'));
      }
      if (cis) {
        this.addStandard('CisBenchmark', standardArn(`cis-aws-foundations-benchmark/v/${cisVersion}`));
      }
    }

    if (props.enableAccessAnalyzer ?? true) {
      this.analyzer = new accessanalyzer.CfnAnalyzer(this, 'AccessAnalyzer', { type: 'ACCOUNT' });
    }
  }

  private addStandard(id: string, standardsArn: string): void {
    const standard = new securityhub.CfnStandard(this, id, { standardsArn });
    // Subscribing to a standard fails until the hub exists.
    standard.node.addDependency(this.hub!);
    this.standards.push(standard);
  }
}
