import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ComplianceReport, StackComplianceReport } from '@groundwork/compliance';
import { DeploymentTrust } from '@groundwork/cross-account-roles';
import { GuardrailEnforcement, SecurityBaseline } from '@groundwork/security-baseline';
import {
  App,
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnResource,
  CliCredentialsStackSynthesizer,
  Fn,
  RemovalPolicy,
  Stack,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { NagPack } from 'cdk-nag';
import { Construct } from 'constructs';
import { canRecordIam, defaultGlobalResourcesRegion, GroundworkConfig, StackSetsConfig } from './config';
import { PlatformStack } from './platform-stack';

/** CloudFormation's limits on a StackSet template: TemplateBody 51,200 bytes, TemplateURL (S3) 1 MB. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;
export const TEMPLATE_URL_MAX_BYTES = 1_048_576;

/** The Environment tag of the StackSets and of everything they deploy. */
export const ORGANIZATION_ENVIRONMENT_TAG = 'organization';

export interface OrganizationStackSetsStackProps {
  readonly groundwork: GroundworkConfig;
  readonly stackSets: StackSetsConfig;
  /** Roles in the tooling account that the deployment trust lets deploy (the pipeline's roles). */
  readonly trustedRoleNamePatterns: string[];
  /**
   * Packs run over each member template before it is embedded: the member
   * stacks live in their own App, outside the tree the main job's gate walks.
   */
  readonly memberChecks: NagPack[];
}

/** One StackSet's member template, as synthesized. */
export interface MemberTemplate {
  readonly template: any;
  /** Bytes of the minified template. */
  readonly size: number;
  /** TemplateBody when it fits, TemplateURL (an S3 asset) when larger. */
  readonly delivery: 'TemplateBody' | 'TemplateURL';
  /**
   * What the member checks found in the template built from constructs: the rules run and every
   * acknowledgement with its reason (construct paths are the member stack's own). Undefined for a
   * template rendered as text (the deployment trust: the bootstrap template, checked by the
   * @groundwork/cross-account-roles tests).
   */
  readonly compliance?: StackComplianceReport;
}

/** What synthesizeMemberTemplate returns. */
export interface MemberSynthesis {
  readonly template: any;
  /** The compliance of the member stack under the member checks: no violations, or it would have thrown. */
  readonly compliance: StackComplianceReport;
}

/**
 * The account baseline for every account of the configured organizational
 * units: one service-managed StackSet per part (security baseline, deployment
 * trust), deployed automatically to accounts that join a unit.
 *
 * Deployed by an administrator of the StackSets administrator account with
 * their own credentials (CliCredentialsStackSynthesizer), never by the
 * pipeline. A service-managed StackSet deploys with the organization's
 * StackSets execution role, which is administrator in every member account and
 * outside the deployment boundary: whoever can change a StackSet's template
 * controls every account of its units. A pipeline that could update these
 * StackSets could also rewrite its own trust (the deployment-trust StackSet)
 * in every account, which is exactly what keeps the bootstrap and the access
 * stacks out of the pipeline. Changes are still reviewed in Git; new accounts
 * need no deployment at all (automatic deployment).
 */
export class OrganizationStackSetsStack extends PlatformStack {
  public readonly securityBaselineStackSet?: cloudformation.CfnStackSet;
  public readonly deploymentTrustStackSet?: cloudformation.CfnStackSet;
  /** The member templates, by part. */
  public readonly memberTemplates: { securityBaseline?: MemberTemplate; deploymentTrust?: MemberTemplate } = {};

  constructor(scope: Construct, id: string, props: OrganizationStackSetsStackProps) {
    const gw = props.groundwork;
    const config = props.stackSets;
    super(scope, id, {
      stackName: `${gw.organization.name}-organization-stacksets`,
      description: 'Groundwork: account baseline StackSets for organizational units (deployed by an administrator)',
      env: { account: config.administrator.account, region: config.administrator.region },
      synthesizer: new CliCredentialsStackSynthesizer(),
      terminationProtection: true,
    });
    const tags: Record<string, string> = { ...gw.defaultTags, Environment: ORGANIZATION_ENVIRONMENT_TAG };

    if (config.parts.securityBaseline) {
      const { template, compliance } = synthesizeMemberTemplate({
        owner: this.node.path,
        part: 'securityBaseline',
        tags,
        checks: props.memberChecks,
        build: (stack) => {
          // Validation puts this region in every target's regions and, with the recorder, makes it one where
          // AWS Config records IAM (checkStackSets).
          const globalRegion = config.globalResourcesRegion ?? defaultGlobalResourcesRegion(config.targets[0].regions)!;
          // One template for every region. What is global to an account exists in one region only:
          // IAM resources are recorded there (or every region records and bills them), and the
          // multi-region audit trail lives there (see onlyInGlobalResourcesRegion).
          const home = new CfnCondition(stack, GLOBAL_RESOURCES_CONDITION, {
            expression: Fn.conditionEquals(Aws.REGION, globalRegion),
          });
          const parts = config.securityBaseline;
          const baseline = new SecurityBaseline(stack, 'Baseline', {
            auditTrail: {
              // A name of this stack instance (the UUID of its stack id): the trail's log group is named
              // after the trail and retained when the instance is deleted (the account leaves a unit),
              // so with a fixed name the next instance in the account (it rejoins a unit) would fail
              // on the existing log group.
              trailName: Fn.join('-', [AUDIT_TRAIL_NAME_PREFIX, Fn.select(2, Fn.split('/', Aws.STACK_ID))]),
            },
            enableConfigRecorder: parts.configRecorder,
            ...(parts.configRecorder
              ? {
                  configRecorder: {
                    // The prop is typed boolean, but the recorder's L1 property accepts a token: the
                    // condition resolves per region at deployment.
                    recordGlobalResources: Fn.conditionIf(home.logicalId, true, false) as unknown as boolean,
                    // Its own access-log bucket in every region: by default it shares the audit
                    // trail's, which exists in the global-resources region only.
                    accessLogsBucket: undefined,
                  },
                }
              : {}),
            threatDetection: {
              enableGuardDuty: parts.guardDuty,
              enableSecurityHub: parts.securityHub,
              enableAccessAnalyzer: parts.accessAnalyzer,
            },
            // Asset-free: no Lambda-backed custom resource, and drift is remediated continuously.
            accountGuardrails: { enforcement: GuardrailEnforcement.CONFIG_REMEDIATION },
            securityAlarms: { emailAddresses: gw.notifications.emails },
          });
          onlyInGlobalResourcesRegion(baseline, home);
          if (canRecordIam(globalRegion)) iamRulesOnlyInGlobalResourcesRegion(stack, home);
          // No deployment boundary on these roles, on purpose: see the reason.
          for (const role of stack.node.findAll().filter((c) => c instanceof iam.CfnRole)) {
            Validations.of(role).acknowledge({
              id: 'Groundwork-IAM5',
              reason:
                'Created by the StackSets execution role from a template an administrator deploys, not by the pipeline execution role that requires the boundary; ' +
                "under the boundary the Config recorder's AWS_ConfigRole reads would be capped to the deployment trust's services, and the trust StackSet is not ordered before this one.",
            });
          }
        },
      });
      const member = this.deliver('securityBaseline', template, compliance);
      this.memberTemplates.securityBaseline = member;
      this.securityBaselineStackSet = this.stackSet('SecurityBaseline', {
        name: `${gw.organization.name}-security-baseline`,
        description: 'Groundwork security baseline: audit trail, AWS Config, threat detection, guardrails, alarms',
        member,
        config,
      });
    }

    if (config.parts.deploymentTrust) {
      // The same least-privilege bootstrap template `cdk bootstrap` deploys per environment, for
      // every account of the units: same qualifier, same trusted tooling account.
      const stackSetName = `${gw.organization.name}-deployment-trust`;
      const body = DeploymentTrust.renderBootstrapTemplate({
        pipelineAccountId: gw.tooling.account,
        trustedRoleNamePatterns: props.trustedRoleNamePatterns,
        allowedServices: config.deploymentTrust.allowedServices,
        // The bootstrap stack here is the StackSet's instance (StackSet-<name>-<id>), not CDKToolkit: the
        // deploy role must not change it, or the pipeline could widen its own trust in every member account.
        // Nor the security baseline's instance beside it (StackSet-<organization>-security-baseline-<id>),
        // or a deployment could update or delete that instance; nor another StackSet's (AWS Control Tower's,
        // another team's): the deploy role protects every StackSet instance of the account (the name pattern).
        // This protects the stacks, not the resources in them: a role the pipeline creates may still change
        // those resources within its boundary.
        toolkitStackName: 'StackSet-*',
      });
      const template = JSON.parse(body);
      const member = this.deliver('deploymentTrust', template);
      this.memberTemplates.deploymentTrust = member;
      this.deploymentTrustStackSet = this.stackSet('DeploymentTrust', {
        name: stackSetName,
        description: 'Groundwork deployment trust: least-privilege CDK bootstrap that trusts only the pipeline',
        member,
        config,
      });
    }

    for (const [key, value] of Object.entries(tags)) {
      Tags.of(this).add(key, value);
    }
  }

  /** Each StackSet with its member template, in the order of `memberTemplates`. */
  public get memberStackSets(): Array<{ stackSetName: string; member: MemberTemplate }> {
    const parts: Array<[cloudformation.CfnStackSet | undefined, MemberTemplate | undefined]> = [
      [this.securityBaselineStackSet, this.memberTemplates.securityBaseline],
      [this.deploymentTrustStackSet, this.memberTemplates.deploymentTrust],
    ];
    return parts.flatMap(([stackSet, member]) =>
      stackSet && member ? [{ stackSetName: stackSet.stackSetName, member }] : [],
    );
  }

  /** TemplateBody up to 51,200 bytes; above that an S3 asset for TemplateURL (up to 1 MB). */
  private deliver(part: string, template: any, compliance?: StackComplianceReport): MemberTemplate {
    const text = JSON.stringify(template);
    const size = Buffer.byteLength(text, 'utf-8');
    if (size > TEMPLATE_URL_MAX_BYTES) {
      throw new Error(
        `${this.node.path}: invalid ${part} StackSet template: expected at most ${TEMPLATE_URL_MAX_BYTES} bytes (TemplateURL limit), found ${size}`,
      );
    }
    return { template, size, delivery: size > TEMPLATE_BODY_MAX_BYTES ? 'TemplateURL' : 'TemplateBody', compliance };
  }

  private stackSet(
    id: string,
    options: { name: string; description: string; member: MemberTemplate; config: StackSetsConfig },
  ): cloudformation.CfnStackSet {
    const { member, config } = options;
    const source: { templateBody?: string; templateUrl?: string } = {};
    if (member.delivery === 'TemplateBody') {
      source.templateBody = JSON.stringify(member.template);
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-stackset-template-'));
      const file = path.join(dir, `${options.name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(member.template));
      try {
        // The asset copies the file into the cloud assembly as it is created: the temporary copy can go.
        const asset = new s3assets.Asset(this, `${id}Template`, { path: file });
        source.templateUrl = asset.httpUrl;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const prefs = config.operationPreferences;
    const stackSet = new cloudformation.CfnStackSet(this, id, {
      stackSetName: options.name,
      description: options.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs: config.administrator.callAs,
      // CloudFormation accepts RetainStacksOnAccountRemoval only with automatic deployment on
      // (AWS::CloudFormation::StackSet AutoDeployment: "Specify only if Enabled is set to True").
      autoDeployment: config.autoDeployment
        ? { enabled: true, retainStacksOnAccountRemoval: config.retainStacksOnAccountRemoval }
        : { enabled: false },
      // Both templates create named IAM roles (the CDK bootstrap contract fixes their names).
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Operations queue instead of failing while another one runs on the same StackSet.
      managedExecution: { Active: true },
      operationPreferences: {
        failureToleranceCount: prefs.failureToleranceCount,
        failureTolerancePercentage: prefs.failureTolerancePercentage,
        maxConcurrentCount: prefs.maxConcurrentCount,
        maxConcurrentPercentage: prefs.maxConcurrentPercentage,
        regionConcurrencyType: prefs.regionConcurrency,
        concurrencyMode: prefs.concurrencyMode,
      },
      stackInstancesGroup: config.targets.map((target) => ({
        deploymentTargets: { organizationalUnitIds: [target.organizationalUnitId] },
        regions: target.regions,
      })),
      ...source,
    });
    // Deleting the StackSet deletes its stacks, and with them the baseline (audit trail, Config)
    // or the trust of every account of the units: removing it from config must not do that. But a
    // StackSet whose creation fails is deleted by the rollback (RetainExceptOnCreate): kept, it
    // would make the retry fail on its name.
    stackSet.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    return stackSet;
  }
}

/** The member template's condition: true in the global-resources region only. */
export const GLOBAL_RESOURCES_CONDITION = 'IsGlobalResourcesRegion';

/** The security baseline's audit trail in a member account: this prefix and the id of the stack instance. */
export const AUDIT_TRAIL_NAME_PREFIX = 'groundwork-audit-trail';

/**
 * The region condition @groundwork/security-baseline puts on the Config rules on IAM resources (and the
 * password policy remediation) in a template whose region is unknown: the regions where AWS Config
 * records IAM.
 */
const IAM_RULES_CONDITION = 'GlobalIamRecordingRegion';

/**
 * Moves the Config rules on IAM (global) resources, and the password policy remediation, from every
 * region where AWS Config records IAM to the global-resources region. IAM is one per account: AWS
 * Config runs a periodic IAM rule in every region it is added to, so each target region would
 * evaluate (and bill, and report to Security Hub) the same users and root account again ("To avoid
 * unnecessary evaluations, you should only deploy periodic rules that report compliance on a global
 * IAM resource type to one of the supported Regions", AWS Config rule pages, "Managed Rules and
 * Global IAM Resource Types"); and the change-triggered iam-user-no-policies-check evaluates nothing
 * in a region whose recorder does not record IAM, which is every region but the global-resources
 * one. Only for a global-resources region where AWS Config records IAM (the caller checks): elsewhere
 * the rules keep their own condition.
 */
export function iamRulesOnlyInGlobalResourcesRegion(stack: Stack, home: CfnCondition): void {
  const iamCondition = stack.node.tryFindChild(IAM_RULES_CONDITION);
  if (!(iamCondition instanceof CfnCondition)) return;
  for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
    if (resource.cfnOptions.condition === iamCondition) resource.cfnOptions.condition = home;
  }
  // Nothing refers to it any more.
  stack.node.tryRemoveChild(IAM_RULES_CONDITION);
}

/**
 * Puts the resources of the security baseline that are global to an account under the
 * global-resources condition, so one template deploys them in one region of each account: the
 * audit trail (multi-region: it records every region's events, and one copy per region would bill
 * each event again, hit the five-trails-per-region quota and alarm once per region) with everything
 * only it uses (key, buckets, log group, log role), the CIS metric filters on its log group with
 * their alarms, and the dashboard, which shows those alarms (dashboards are global too). GuardDuty,
 * Security Hub, the Config recorder, the rules and the finding notifications stay in every region
 * (the Config rules AWS Config does not offer in every region have their own region conditions,
 * from @groundwork/security-baseline; the rules on IAM resources go to the global-resources region
 * too: iamRulesOnlyInGlobalResourcesRegion).
 * No resource outside the condition may reference one inside (CloudFormation rejects the
 * template): the member tests walk the template for that.
 */
export function onlyInGlobalResourcesRegion(baseline: SecurityBaseline, condition: CfnCondition): void {
  const scopes: Construct[] = [];
  if (baseline.auditTrail) scopes.push(baseline.auditTrail);
  const alarms = baseline.securityAlarms;
  if (alarms) {
    scopes.push(...alarms.alarms);
    if (alarms.dashboard) scopes.push(alarms.dashboard);
  }
  const resources = scopes.flatMap((scope) => scope.node.findAll().filter(CfnResource.isCfnResource));
  if (alarms) {
    // The metric filters are not exposed: every filter of the alarms reads the trail's log group.
    resources.push(
      ...alarms.node
        .findAll()
        .filter(CfnResource.isCfnResource)
        .filter((r) => r.cfnResourceType === logs.CfnMetricFilter.CFN_RESOURCE_TYPE_NAME),
    );
  }
  for (const resource of resources) {
    resource.cfnOptions.condition = condition;
  }
}

export interface MemberTemplateOptions {
  /** Construct path of the stack that embeds the template, for error messages. */
  readonly owner: string;
  /** Which part (e.g. securityBaseline), for error messages. */
  readonly part: string;
  /** Tags for every resource of the member stack. */
  readonly tags: Record<string, string>;
  /** Compliance packs the member stack must pass with zero unacknowledged findings. */
  readonly checks: NagPack[];
  /** Adds the member's constructs to the (environment-agnostic) stack. */
  readonly build: (stack: Stack) => void;
}

/**
 * Synthesizes a StackSet member stack in its own App and returns its template
 * and its compliance under the member checks. The template is
 * environment-agnostic (one template for every account and region), without
 * the bootstrap version rule (a new account has no bootstrap to check) and
 * without assets (a StackSet instance cannot read the administrator account's
 * asset bucket). Throws, naming the owner and part, on an asset or an
 * unacknowledged compliance finding.
 */
export function synthesizeMemberTemplate(options: MemberTemplateOptions): MemberSynthesis {
  const { owner, part } = options;
  const assetError = (found: string) =>
    new Error(
      `${owner}: invalid ${part} StackSet template: expected no assets (a StackSet instance in a new account ` +
        `cannot read the administrator account's asset bucket; use asset-free constructs, e.g. ` +
        `GuardrailEnforcement.CONFIG_REMEDIATION), found ${found}`,
    );
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-stackset-'));
  try {
    const app = new App({
      outdir,
      analyticsReporting: false,
      context: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:version-reporting': false },
    });
    const stack = new Stack(app, `${part}Member`, {
      // Generates no bootstrap version rule, and throws on any asset.
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
    try {
      options.build(stack);
    } catch (error) {
      const message = (error as Error).message;
      if (/Cannot add assets/.test(message)) throw assetError(`an asset (${message})`);
      throw error;
    }
    for (const [key, value] of Object.entries(options.tags)) {
      Tags.of(stack).add(key, value);
    }
    // Synthesis first: tags and other aspects are applied during it, and the checks read their result.
    const artifact = app.synth().getStackArtifact(stack.artifactId);
    if (artifact.assets.length > 0) throw assetError(`${artifact.assets.length} asset(s)`);
    const [compliance] = ComplianceReport.collect(stack, options.checks);
    const findings = compliance.violations.map((f) => `${f.ruleId} at ${f.resourcePath}: ${f.message}`);
    if (findings.length > 0) {
      throw new Error(
        `${owner}: the ${part} StackSet template fails the compliance gate:\n${findings.map((f) => `  ${f}`).join('\n')}`,
      );
    }
    return { template: artifact.template, compliance };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
