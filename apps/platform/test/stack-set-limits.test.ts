import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configWith } from './config/fixtures';
import { tmpOutdir } from './helpers';
import { loadPlatformConfig } from '../src/config';
import {
  MemberTemplate,
  OrganizationStackSetsStack,
  synthesizeMemberTemplate,
  TEMPLATE_BODY_MAX_BYTES,
  TEMPLATE_URL_MAX_BYTES,
} from '../src/organization-stack-sets-stack';

/**
 * The limits the StackSets stack applies to what it sends CloudFormation, at their boundaries: the
 * member template's delivery (CloudFormation takes a TemplateBody of up to 51,200 bytes and a
 * template in S3 of up to 1 MB), and the compliance gate on a member template with a single finding.
 * stack-sets.test.ts covers the example's templates, which are far from either boundary.
 */

process.env.CDK_VALIDATION = 'false';

/** The smallest stackSets section, with neither part: the stack alone, no member template built. */
function emptyStackSetsStack(): OrganizationStackSetsStack {
  const config = loadPlatformConfig(
    configWith({
      'groundwork.yaml': [
        [
          'branches:',
          'stackSets:\n  administrator:\n    account: "777777777777"\n    region: eu-west-1\n  targets:\n' +
            '    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-west-1]\nbranches:',
        ],
      ],
    }),
  );
  const stackSets = { ...config.groundwork.stackSets!, parts: { securityBaseline: false, deploymentTrust: false } };
  return new OrganizationStackSetsStack(new App({ outdir: tmpOutdir('stack-set-limits') }), 'OrganizationStackSets', {
    groundwork: config.groundwork,
    stackSets,
    trustedRoleNamePatterns: ['example-platform*'],
    memberChecks: [],
  });
}

/** A template whose minified JSON is exactly `bytes` bytes. */
function templateOfSize(bytes: number): any {
  const template = { Description: '' };
  template.Description = 'x'.repeat(bytes - JSON.stringify(template).length);
  expect(Buffer.byteLength(JSON.stringify(template), 'utf-8')).toBe(bytes);
  return template;
}

describe('member template delivery at the CloudFormation limits', () => {
  const stack = emptyStackSetsStack();
  // The private delivery choice every StackSet goes through (stackSet() reads its `delivery`).
  const deliver = (template: any): MemberTemplate =>
    (stack as unknown as { deliver(part: string, t: any): MemberTemplate }).deliver('example', template);

  test('the StackSets stack is protected from deletion: deleting it would remove the StackSets of every unit', () => {
    expect(stack.terminationProtection).toBe(true);
  });

  test('exactly 51,200 bytes go as TemplateBody; one byte more as TemplateURL', () => {
    expect(TEMPLATE_BODY_MAX_BYTES).toBe(51_200);
    expect(deliver(templateOfSize(TEMPLATE_BODY_MAX_BYTES))).toMatchObject({
      size: TEMPLATE_BODY_MAX_BYTES,
      delivery: 'TemplateBody',
    });
    expect(deliver(templateOfSize(TEMPLATE_BODY_MAX_BYTES + 1))).toMatchObject({ delivery: 'TemplateURL' });
  });

  test('exactly 1 MB goes as TemplateURL; one byte more is an error naming the part, the limit and the size', () => {
    expect(TEMPLATE_URL_MAX_BYTES).toBe(1_048_576);
    expect(deliver(templateOfSize(TEMPLATE_URL_MAX_BYTES))).toMatchObject({ delivery: 'TemplateURL' });
    expect(() => deliver(templateOfSize(TEMPLATE_URL_MAX_BYTES + 1))).toThrow(
      'OrganizationStackSets: invalid example StackSet template: expected at most 1048576 bytes (TemplateURL limit), found 1048577',
    );
  });
});

test('synthesizeMemberTemplate rejects a member template with a single compliance finding', () => {
  const build = (stack: Stack) =>
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  expect(() =>
    synthesizeMemberTemplate({
      owner: 'Owner',
      part: 'example',
      tags: {},
      checks: [new AwsSolutionsChecks()],
      build,
    }),
  ).toThrow(
    /^Owner: the example StackSet template fails the compliance gate:\n {2}AwsSolutions-IAM4\[Policy::arn:aws:iam::aws:policy\/ReadOnlyAccess\] at exampleMember\/Role: [^\n]*$/,
  );
});
