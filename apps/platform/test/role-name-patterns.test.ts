import { App, PhysicalName, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { cloudFormationRoleName, exampleConfig, globMatches } from './helpers';
import { deploymentTrustProps, toolingDeploymentTrustProps } from '../src/bootstrap-template';
import { driftDetectorRoleName } from '../src/config';
import {
  driftDetectorRoleNamePattern,
  GENERATED_ROLE_NAME_STACK_PREFIX,
  pipelineRoleNamePattern,
  pipelineStackName,
} from '../src/stack-names';

/*
 * The bootstrap roles of every environment trust the pipeline's roles by name pattern, and the reconcile
 * role trusts the drift detectors' roles by name pattern. A pattern that misses a real name fails every
 * deployment (or every restart) with AccessDenied, and nothing offline would show it; these tests hold the
 * patterns against the names the roles get.
 */

/** Logical ids of roles in the example's pipeline stack, short and long. */
const PIPELINE_ROLE_IDS = [
  'GitOpsPipelineRole49EB52E7',
  'GitOpsStageValidationRole50ABA408',
  'GitOpsPipelineBuildSynthCdkBuildProjectRole1D73EC1D',
  'GitOpsPipelinePipelinesSecurityCheckCDKPipelinesAutoApproveServiceRole0DA51102',
];

/** Organization names of every allowed length (2 to 32). */
const ORGS = Array.from({ length: 31 }, (_, i) => 'acmeplatformengineeringeuropewest'.slice(0, i + 2));
const BRANCHES = ['main', 'develop', 'release-candidate-2027'];

describe('the pipeline roles the bootstrap roles trust', () => {
  test.each(ORGS)('organization %j: every pipeline role, generated from its stack name, matches', (org) => {
    const pattern = pipelineRoleNamePattern(org);
    for (const branch of BRANCHES) {
      const stackName = pipelineStackName(org, branch, 'main');
      for (const id of PIPELINE_ROLE_IDS) {
        expect([pattern, globMatches(pattern, cloudFormationRoleName(stackName, id))]).toEqual([pattern, true]);
      }
    }
  });

  test('is <org>-platform* while that fits the kept part of a stack name, and is cut with it beyond', () => {
    expect(pipelineRoleNamePattern('example')).toBe('example-platform*');
    expect(pipelineRoleNamePattern('acmeplatformeng1')).toBe('acmeplatformeng1-platform*');
    expect(pipelineRoleNamePattern('acmeplatformeng12')).toBe('acmeplatformeng12-platfor*');
    // The whole stack name as a pattern would miss the roles of a 17-character organization's pipeline.
    const name = cloudFormationRoleName(pipelineStackName('acmeplatformeng12', 'main', 'main'), PIPELINE_ROLE_IDS[2]);
    expect(globMatches('acmeplatformeng12-platform*', name)).toBe(false);
  });

  test('every bootstrap template trusts that pattern, the tooling account and each environment', () => {
    const example = exampleConfig();
    const config = {
      ...example,
      groundwork: {
        ...example.groundwork,
        organization: { ...example.groundwork.organization, name: 'acmeplatformeng12' },
      },
    };
    const emptyTemplate = { Resources: {} };
    expect(toolingDeploymentTrustProps(config, emptyTemplate).trustedRoleNamePatterns).toEqual([
      'acmeplatformeng12-platfor*',
    ]);
    for (const env of config.environments) {
      expect(deploymentTrustProps(config, env.name).trustedRoleNamePatterns).toEqual(['acmeplatformeng12-platfor*']);
    }
    // The stacks the tooling deploy role may change keep their whole names: stack names are never cut.
    expect(toolingDeploymentTrustProps(config, emptyTemplate).deployableStackNames).toEqual([
      'acmeplatformeng12-platform*',
    ]);
  });

  test("aws-cdk-lib's generated role names keep the same part of the stack name", () => {
    const app = new App();
    const org = 'acmeplatformengineeringeurope';
    const pipelineStack = new Stack(app, 'Pipeline', {
      stackName: pipelineStackName(org, 'main', 'main'),
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    const role = new iam.Role(pipelineStack, 'CrossAccountActionRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.AccountRootPrincipal(),
    });
    // A reference from another account makes aws-cdk-lib generate the name.
    const other = new Stack(app, 'Other', { env: { account: '333333333333', region: 'eu-west-1' } });
    role.grantAssumeRole(new iam.Role(other, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    const [generated] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::IAM::Role')).map(
      (r: any) => r.Properties.RoleName,
    );
    expect(generated).toMatch(new RegExp(`^${`${org}-platform`.slice(0, GENERATED_ROLE_NAME_STACK_PREFIX)}`));
    expect(generated.startsWith(`${org}-platform`)).toBe(false);
    expect(globMatches(pipelineRoleNamePattern(org), generated)).toBe(true);
  });
});

describe('the drift detector roles the reconcile role trusts', () => {
  test('are named, so the pattern matches however long the operations stack name is', () => {
    const org = 'acmeplatformengineeringeurope';
    const name = driftDetectorRoleName(org, 'staging');
    expect(name).toBe('acmeplatformengineeringeurope-staging-drift-detector');
    expect(globMatches(driftDetectorRoleNamePattern(org), name)).toBe(true);
    // A generated name would keep only the start of "<org>-staging-operations".
    const generated = cloudFormationRoleName(`${org}-staging-operations`, 'DriftDetectorStateMachineRoleCDCA9BED');
    expect(globMatches(`${org}-*-operations-*`, generated)).toBe(false);
  });

  test("match only this organization's detectors", () => {
    expect(globMatches(driftDetectorRoleNamePattern('acme'), driftDetectorRoleName('acme', 'dev'))).toBe(true);
    expect(globMatches(driftDetectorRoleNamePattern('acme'), driftDetectorRoleName('other', 'dev'))).toBe(false);
    expect(globMatches(driftDetectorRoleNamePattern('acme'), 'acme-dev-operations-DriftDetector-X')).toBe(false);
  });
});
