import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AccountGuardrails, AccountGuardrailsProps, GuardrailEnforcement } from './account-guardrails';
import { AuditTrail, AuditTrailProps } from './audit-trail';
import {
  ComplianceRules,
  ComplianceRulesProps,
  ConfigRecorder,
  ConfigRecorderProps,
  ManagedRule,
} from './config-compliance';
import { requireBoolean } from './private/validation';
import { SecurityAlarms, SecurityAlarmsOptions } from './security-alarms';
import { ThreatDetection, ThreatDetectionProps } from './threat-detection';

/** Properties of SecurityBaseline. Every part is on by default. */
export interface SecurityBaselineProps {
  /**
   * Create the CloudTrail audit trail. The trail is multi-region: an account needs it in one region
   * only (a second one records and bills every management event again, and every CIS alarm fires
   * twice). Turn it off in the account's other regions.
   *
   * @default true
   */
  readonly enableAuditTrail?: boolean;
  /**
   * Options of the audit trail.
   *
   * @default - AuditTrail defaults
   */
  readonly auditTrail?: AuditTrailProps;

  /**
   * Create the AWS Config recorder and delivery channel. Turn off where a recorder already exists
   * (one per account and region), e.g. one created by AWS Control Tower.
   *
   * @default true
   */
  readonly enableConfigRecorder?: boolean;
  /**
   * Options of the Config recorder.
   *
   * @default - ConfigRecorder defaults (global resource types not recorded)
   */
  readonly configRecorder?: ConfigRecorderProps;

  /**
   * Create the AWS Config managed rules.
   *
   * @default true
   */
  readonly enableComplianceRules?: boolean;
  /**
   * Options of the managed rules (which rules, parameters).
   *
   * @default - every ManagedRule AWS Config offers in the stack's region, but the ones the guardrails
   * bring with `GuardrailEnforcement.CONFIG_REMEDIATION`
   */
  readonly complianceRules?: ComplianceRulesProps;

  /**
   * Create GuardDuty, Security Hub and IAM Access Analyzer.
   *
   * @default true
   */
  readonly enableThreatDetection?: boolean;
  /**
   * Options of threat detection (each service switchable).
   *
   * @default - ThreatDetection defaults
   */
  readonly threatDetection?: ThreatDetectionProps;

  /**
   * Apply the account guardrails (S3 Block Public Access, EBS default encryption, password policy).
   *
   * @default true
   */
  readonly enableAccountGuardrails?: boolean;
  /**
   * Options of the account guardrails.
   *
   * @default - AccountGuardrails defaults
   */
  readonly accountGuardrails?: AccountGuardrailsProps;

  /**
   * Create the CIS alarms, finding notifications and dashboard. The alarms and dashboard need the
   * audit trail with CloudWatch Logs delivery in this stack: without it (e.g. `enableAuditTrail:
   * false` in the regions of an account other than the one holding its multi-region trail) only the
   * GuardDuty and Config notifications of the region are created.
   *
   * @default true
   */
  readonly enableSecurityAlarms?: boolean;
  /**
   * Options of the alarms (email subscriptions, which events).
   *
   * @default - SecurityAlarms defaults, no email subscriptions
   */
  readonly securityAlarms?: SecurityAlarmsOptions;
}

/**
 * The security baseline of a Groundwork account: audit trail, AWS Config recorder and rules,
 * threat detection, account guardrails and security alarms, each switchable.
 */
export class SecurityBaseline extends Construct {
  /** The audit trail, when enabled. */
  public readonly auditTrail?: AuditTrail;
  /** The Config recorder, when enabled. */
  public readonly configRecorder?: ConfigRecorder;
  /** The Config managed rules, when enabled. */
  public readonly complianceRules?: ComplianceRules;
  /** GuardDuty, Security Hub and Access Analyzer, when enabled. */
  public readonly threatDetection?: ThreatDetection;
  /** Account guardrails, when enabled. */
  public readonly accountGuardrails?: AccountGuardrails;
  /** Alarms, topic and dashboard, when enabled. */
  public readonly securityAlarms?: SecurityAlarms;

  constructor(scope: Construct, id: string, props: SecurityBaselineProps = {}) {
    super(scope, id);
    const fail = (prop: string, expected: string, found: string) =>
      new Error(`${this.node.path}: invalid ${prop}: expected ${expected}, found ${found}`);
    // Typed in TypeScript, but free in JavaScript or YAML config, where "false" (a non-empty string) would
    // count as true: the part would be created, and its options would pass the check below.
    for (const flag of [
      'enableAuditTrail',
      'enableConfigRecorder',
      'enableComplianceRules',
      'enableThreatDetection',
      'enableAccountGuardrails',
      'enableSecurityAlarms',
    ] as const) {
      requireBoolean(this, flag, props[flag]);
    }
    const disabledWithOptions = (flag: keyof SecurityBaselineProps, options: keyof SecurityBaselineProps) => {
      if (props[flag] === false && props[options] !== undefined) {
        throw fail(options, `unset when ${flag} is false`, 'options');
      }
    };
    disabledWithOptions('enableAuditTrail', 'auditTrail');
    disabledWithOptions('enableConfigRecorder', 'configRecorder');
    disabledWithOptions('enableComplianceRules', 'complianceRules');
    disabledWithOptions('enableThreatDetection', 'threatDetection');
    disabledWithOptions('enableAccountGuardrails', 'accountGuardrails');
    disabledWithOptions('enableSecurityAlarms', 'securityAlarms');

    if (props.enableAuditTrail ?? true) {
      this.auditTrail = new AuditTrail(this, 'AuditTrail', props.auditTrail);
    }
    if (props.enableConfigRecorder ?? true) {
      this.configRecorder = new ConfigRecorder(this, 'ConfigRecorder', {
        // One access-log bucket for all log buckets of the baseline.
        accessLogsBucket: this.auditTrail?.accessLogsBucket,
        ...props.configRecorder,
      });
    }
    const guardrails = props.accountGuardrails ?? {};
    const remediating =
      (props.enableAccountGuardrails ?? true) && guardrails.enforcement === GuardrailEnforcement.CONFIG_REMEDIATION;
    if (props.enableComplianceRules ?? true) {
      const ruleOptions = props.complianceRules ?? {};
      // The password rule checks the policy the guardrails apply (all of it, not only the length),
      // unless the rule options describe the policy themselves; a minimumPasswordLength given
      // there (the older prop) still sets the length.
      const applied = guardrails.passwordPolicy ?? {};
      const passwordPolicy =
        ruleOptions.passwordPolicy ??
        (ruleOptions.minimumPasswordLength === undefined ? applied : { ...applied, minimumLength: undefined });
      // Remediating guardrails bring their own rules for these settings: the same rule twice
      // would evaluate (and bill) twice.
      const ownedByGuardrails = remediating
        ? [
            ...((guardrails.enableS3BlockPublicAccess ?? true)
              ? [ManagedRule.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS]
              : []),
            ...((guardrails.enableEbsEncryptionByDefault ?? true) ? [ManagedRule.EBS_ENCRYPTION_BY_DEFAULT] : []),
            ...((guardrails.enablePasswordPolicy ?? true) ? [ManagedRule.IAM_PASSWORD_POLICY] : []),
          ]
        : [];
      // Without an explicit rule list, the rules the guardrails bring are left out of the defaults.
      const excludedRules =
        ruleOptions.rules === undefined && ownedByGuardrails.length > 0
          ? [...new Set([...ownedByGuardrails, ...(ruleOptions.excludedRules ?? [])])]
          : ruleOptions.excludedRules;
      const passwordRule = ManagedRule.IAM_PASSWORD_POLICY;
      if (ruleOptions.rules === undefined && ownedByGuardrails.includes(passwordRule)) {
        // The guardrails' own password rule checks accountGuardrails.passwordPolicy: these would do nothing.
        for (const option of ['minimumPasswordLength', 'passwordPolicy'] as const) {
          if (ruleOptions[option] !== undefined) {
            throw fail(
              `complianceRules.${option}`,
              `unset with accountGuardrails.enforcement ${GuardrailEnforcement.CONFIG_REMEDIATION} (the guardrails ` +
                `bring their own ${passwordRule} rule, which checks accountGuardrails.passwordPolicy)`,
              JSON.stringify(ruleOptions[option]),
            );
          }
        }
      }
      // Without the password rule, the guardrails' policy has nothing to configure (ComplianceRules refuses
      // a policy without its rule); the options' own policy, if any, is passed on and refused there.
      const withoutPasswordRule =
        ruleOptions.rules !== undefined
          ? !ruleOptions.rules.includes(passwordRule)
          : (excludedRules ?? []).includes(passwordRule);
      this.complianceRules = new ComplianceRules(this, 'ComplianceRules', {
        recorder: this.configRecorder,
        ...ruleOptions,
        excludedRules,
        passwordPolicy: withoutPasswordRule ? ruleOptions.passwordPolicy : passwordPolicy,
      });
    }
    if (props.enableThreatDetection ?? true) {
      this.threatDetection = new ThreatDetection(this, 'ThreatDetection', props.threatDetection);
    }
    if (props.enableAccountGuardrails ?? true) {
      this.accountGuardrails = new AccountGuardrails(
        this,
        'AccountGuardrails',
        remediating ? { recorder: this.configRecorder, ...guardrails } : props.accountGuardrails,
      );
    }
    if (props.enableSecurityAlarms ?? true) {
      const logGroup = this.auditTrail?.logGroup;
      const alarmOptions = props.securityAlarms ?? {};
      if (!logGroup) {
        // No trail log group here (the account's multi-region trail and its alarms live in another
        // region, or CloudWatch Logs delivery is off): the finding routing only.
        const reason = this.auditTrail ? 'sendToCloudWatchLogs: false' : 'enableAuditTrail: false';
        for (const option of ['events', 'eventThresholds', 'metricNamespace', 'enableDashboard'] as const) {
          // A dashboard asked for: true. Anything else but false is not a boolean, which SecurityAlarms reports.
          const given =
            option === 'enableDashboard' ? alarmOptions[option] === true : alarmOptions[option] !== undefined;
          if (given) {
            throw fail(
              `securityAlarms.${option}`,
              'unset without the audit trail with CloudWatch Logs delivery (the alarms and dashboard read its log group)',
              reason,
            );
          }
        }
        Annotations.of(this).addInfo(
          `CIS metric filters, alarms and dashboard left out (${reason}: no trail log group in this stack); ` +
            'GuardDuty findings and Config non-compliance of this region are still sent to the alarm topic',
        );
      }
      this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', { ...alarmOptions, logGroup });
      if (logGroup && this.auditTrail) {
        // Setting the topic policy on the first deployment is a SetTopicAttributes call on the alert topic, which
        // AlertingChanges watches: made before the trail records anything, it cannot raise that alarm.
        this.auditTrail.trail.node.defaultChild!.node.addDependency(this.securityAlarms.topic);
      }
    }
  }
}
