import { DeploymentTrust } from '../src';
import { cliBootstrap, cliTemplate, stackAfter } from './cdk-cli-bootstrap';
import { TARGET_ACCOUNT, TRUST_PROPS } from './fixtures';

// Why docs/runbooks/bootstrap-accounts.md step 7 replaces a CDKToolkit stack made with the CDK CLI's own template
// (delete it, then bootstrap again) instead of updating it in place with `--force`.
//
// Our template declares several of the CLI template's fixed physical names (roles, staging bucket, container
// repository) under other logical ids. In a stack update, CloudFormation creates the resources whose logical id is
// new before it deletes those whose logical id was removed (the cleanup phase, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html),
// so each of these creations meets the old resource of the same name ("already exists") and the update rolls back.
// A resource whose logical id is the same in both templates (CdkBootstrapVersion) is updated in place instead.
//
// If logical ids are ever aligned with the CLI's, or another fixed name is added to either template, the expected
// lists below change, and so must step 7.

const QUALIFIER = 'hnb659fds';
const REGION = 'eu-west-1';
const PSEUDO = { 'AWS::AccountId': TARGET_ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws' };

/** The property holding the account- or region-wide (or, for buckets, global) name of each resource type. */
const NAME_PROPERTY: { [type: string]: string } = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::SSM::Parameter': 'Name',
};
/**
 * Types in either template without such a name: keys (identified by a generated id), bucket policies (one per
 * bucket), and inline policies (AWS::IAM::Policy: PolicyName is unique per role only, and both templates attach
 * theirs to the role they create).
 */
const UNNAMED_TYPES = ['AWS::KMS::Key', 'AWS::S3::BucketPolicy', 'AWS::IAM::Policy'];

interface NamedResource {
  readonly type: string;
  readonly name: string;
  readonly logicalId: string;
}

/**
 * The named resources a template creates with the given parameter values: conditions evaluated, names resolved
 * (Ref, Fn::Join, Fn::Sub, Fn::If over the template's parameters and pseudo parameters). Throws on anything else,
 * so that a name this cannot resolve fails the test instead of being skipped.
 */
function namedResources(template: any, parameterValues: { [name: string]: string }): NamedResource[] {
  const values: { [name: string]: string } = { ...PSEUDO, ...parameterValues };
  const declared = template.Parameters ?? {};
  const refValue = (name: string): unknown => {
    if (name === 'AWS::NoValue') return undefined;
    if (!(name in values)) throw new Error(`no value for Ref ${name}`);
    return declared[name]?.Type === 'CommaDelimitedList' ? values[name].split(',') : values[name];
  };
  const condition = (name: string): boolean => {
    const result = evaluate(template.Conditions?.[name]);
    if (typeof result !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    return result;
  };
  const evaluate = (expr: any): any => {
    if (typeof expr === 'string' || typeof expr === 'boolean') return expr;
    if (Array.isArray(expr)) return expr.map(evaluate);
    const entries = Object.entries<any>(expr ?? {});
    if (entries.length !== 1) throw new Error(`unsupported expression ${JSON.stringify(expr)}`);
    const [fn, args] = entries[0];
    switch (fn) {
      case 'Ref':
        return refValue(args);
      case 'Condition':
        return condition(args);
      case 'Fn::Join':
        return ([] as unknown[]).concat(...(evaluate(args[1]) as unknown[])).join(args[0]);
      case 'Fn::Sub':
        if (typeof args !== 'string') throw new Error(`unsupported Fn::Sub ${JSON.stringify(args)}`);
        return args.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(refValue(name)));
      case 'Fn::If':
        return condition(args[0]) ? evaluate(args[1]) : evaluate(args[2]);
      case 'Fn::Equals':
        return JSON.stringify(evaluate(args[0])) === JSON.stringify(evaluate(args[1]));
      case 'Fn::Not':
        return !evaluate(args[0]);
      case 'Fn::And':
        return args.every((a: any) => evaluate(a) === true);
      case 'Fn::Or':
        return args.some((a: any) => evaluate(a) === true);
      default:
        throw new Error(`unsupported function ${fn} in ${JSON.stringify(expr)}`);
    }
  };
  const found: NamedResource[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Condition !== undefined && !condition(resource.Condition)) continue;
    const property = NAME_PROPERTY[resource.Type];
    const nameExpr = property ? resource.Properties?.[property] : undefined;
    if (nameExpr === undefined) continue;
    const name = evaluate(nameExpr);
    if (typeof name !== 'string') throw new Error(`${logicalId}.${property} did not resolve to a string`);
    found.push({ type: resource.Type, name, logicalId });
  }
  return found;
}

interface Comparison {
  /** Same type and name, other logical id: what makes the in-place update fail. */
  readonly collisions: Array<{ type: string; name: string; cli: string; ours: string }>;
  /** Same type and name, same logical id: updated in place. */
  readonly sameLogicalId: string[];
}

function compare(cli: NamedResource[], ours: NamedResource[]): Comparison {
  const collisions: Comparison['collisions'] = [];
  const sameLogicalId: string[] = [];
  for (const old of cli) {
    const match = ours.find((r) => r.type === old.type && r.name === old.name);
    if (!match) continue;
    if (match.logicalId === old.logicalId) sameLogicalId.push(old.logicalId);
    else collisions.push({ type: old.type, name: old.name, cli: old.logicalId, ours: match.logicalId });
  }
  collisions.sort((a, b) => a.cli.localeCompare(b.cli));
  return { collisions, sameLogicalId };
}

const ours = JSON.parse(DeploymentTrust.renderBootstrapTemplate(TRUST_PROPS));
// Runbook step 3: `cdk bootstrap aws://ACCOUNT/REGION --template FILE --qualifier hnb659fds --termination-protection`
const RUNBOOK = { template: ours, parameters: { qualifier: QUALIFIER }, terminationProtection: true };
let cli: any;
let oursNamed: NamedResource[];

beforeAll(async () => {
  cli = await cliTemplate();
  oursNamed = namedResources(ours, (await cliBootstrap(RUNBOOK)).values);
});

/** The named resources of a stack made by the pinned CLI's `cdk bootstrap` with these options. */
async function cliNamed(parameters: object): Promise<NamedResource[]> {
  const result = await cliBootstrap({ parameters: { qualifier: QUALIFIER, ...parameters } });
  return namedResources(cli, result.values);
}

const ROLE_COLLISIONS = [
  ['CloudFormationExecutionRole', 'DeploymentTrustCloudFormationExecutionRoleE3788C71', 'cfn-exec-role'],
  ['DeploymentActionRole', 'DeploymentTrustDeployRoleAA2658D2', 'deploy-role'],
  ['FilePublishingRole', 'DeploymentTrustFilePublishingRoleB41AA4F0', 'file-publishing-role'],
  ['ImagePublishingRole', 'DeploymentTrustImagePublishingRoleE2CD5034', 'image-publishing-role'],
  ['LookupRole', 'DeploymentTrustLookupRoleDE4BA796', 'lookup-role'],
].map(([cliId, oursId, role]) => ({
  type: 'AWS::IAM::Role',
  name: `cdk-${QUALIFIER}-${role}-${TARGET_ACCOUNT}-${REGION}`,
  cli: cliId,
  ours: oursId,
}));
const DEFAULT_COLLISIONS = [
  ...ROLE_COLLISIONS,
  {
    type: 'AWS::ECR::Repository',
    name: `cdk-${QUALIFIER}-container-assets-${TARGET_ACCOUNT}-${REGION}`,
    cli: 'ContainerAssetsRepository',
    ours: 'DeploymentTrustContainerAssetsRepository79FEA7A4',
  },
  {
    type: 'AWS::S3::Bucket',
    name: `cdk-${QUALIFIER}-assets-${TARGET_ACCOUNT}-${REGION}`,
    cli: 'StagingBucket',
    ours: 'DeploymentTrustStagingBucket7A5326E1',
  },
].sort((a, b) => a.cli.localeCompare(b.cli));

describe('in place over a CLI bootstrap, our template would create names that already exist', () => {
  test('every resource type of both templates is either named (compared here) or has no fixed name', () => {
    const types = new Set(
      [...Object.values<any>(cli.Resources), ...Object.values<any>(ours.Resources)].map((r) => r.Type),
    );
    const unknown = [...types].filter((t) => !(t in NAME_PROPERTY) && !UNNAMED_TYPES.includes(t));
    expect(unknown).toEqual([]);
    // Guards the resolver: it found our named resources at all.
    expect(oursNamed.map((r) => r.name)).toContain(`/cdk-bootstrap/${QUALIFIER}/version`);
  });

  test('default `cdk bootstrap`: the five roles, the staging bucket and the container repository collide', async () => {
    const { collisions } = compare(await cliNamed({}), oursNamed);
    expect(collisions).toEqual(DEFAULT_COLLISIONS);
  });

  test('`cdk bootstrap --bootstrap-customer-key`: the key alias collides too', async () => {
    const { collisions } = compare(await cliNamed({ createCustomerMasterKey: true }), oursNamed);
    expect(collisions).toEqual(
      [
        ...DEFAULT_COLLISIONS,
        {
          type: 'AWS::KMS::Alias',
          name: `alias/cdk-${QUALIFIER}-assets-key`,
          cli: 'FileAssetsBucketEncryptionKeyAlias',
          ours: 'DeploymentTrustStagingKeyAlias88025842',
        },
      ].sort((a, b) => a.cli.localeCompare(b.cli)),
    );
  });

  test('the version parameter has the same name and logical id in both (updated in place, no collision)', async () => {
    const { sameLogicalId, collisions } = compare(await cliNamed({}), oursNamed);
    expect(sameLogicalId).toEqual(['CdkBootstrapVersion']);
    expect(collisions.map((c) => c.cli)).not.toContain('CdkBootstrapVersion');
  });

  test('without --force the CLI does not update a CLI bootstrap with our template at all', async () => {
    const previous = stackAfter(await cliBootstrap({ parameters: { qualifier: QUALIFIER } }), cli);
    await expect(cliBootstrap({ ...RUNBOOK, existing: previous })).rejects.toThrow(/Not overwriting it/);
  });
});

describe('what deleting a CLI bootstrap stack leaves behind (the runbook cleans these up by hand)', () => {
  test('only the staging bucket is retained (DeletionPolicy and UpdateReplacePolicy Retain)', () => {
    const retained = Object.entries<any>(cli.Resources)
      .filter(([, r]) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map(([id, r]) => [id, r.DeletionPolicy, r.UpdateReplacePolicy]);
    expect(retained).toEqual([['StagingBucket', 'Retain', 'Retain']]);
    expect(cli.Resources.StagingBucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('the container repository is deleted with the stack, and only if it holds no image (no EmptyOnDelete)', () => {
    const repository = cli.Resources.ContainerAssetsRepository;
    // No DeletionPolicy: CloudFormation's default, Delete. Without EmptyOnDelete, ECR refuses to delete a
    // repository that holds images, and the stack deletion ends DELETE_FAILED on this resource.
    expect(repository.DeletionPolicy).toBeUndefined();
    expect(repository.Properties.EmptyOnDelete).toBeUndefined();
  });

  test('the customer managed key (--bootstrap-customer-key only) is deleted with the stack', () => {
    const key = cli.Resources.FileAssetsBucketEncryptionKey;
    expect([key.Condition, key.DeletionPolicy]).toEqual(['CreateNewKey', 'Delete']);
  });
});
