import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BootstrapContract, BootstrapRoleKind } from './bootstrap-contract';
import { KMS_DECRYPT_ACTIONS } from './iam-actions';
import { validateAccountId, validateQualifier, validateRegionName } from './validation';

/**
 * An environment the pipeline deploys into.
 */
export interface DeploymentTargetEnvironment {
  /** The 12-digit account id. */
  readonly account: string;
  /** The region, e.g. 'eu-west-1'. */
  readonly region: string;
  /**
   * The bootstrap qualifier of that environment.
   *
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;
}

/**
 * Key policy statements for the pipeline's artifact key.
 */
export class ArtifactKeyAccess {
  /**
   * Let exactly the target environments' deploy roles (`cdk-<qualifier>-deploy-role-<account>-<region>`)
   * decrypt pipeline artifacts, and only through S3 in the key's region.
   *
   * The statement names the target accounts as principals and narrows them with an `aws:PrincipalArn`
   * condition, rather than naming the role ARNs as principals: IAM rejects a key policy that names a role
   * which does not exist yet, and the target may be bootstrapped after the pipeline.
   *
   * @returns the statement added to the key policy
   */
  public static grantDeployRolesDecrypt(key: kms.IKey, targets: DeploymentTargetEnvironment[]): iam.PolicyStatement {
    const where = `${key.node.path}: grantDeployRolesDecrypt`;
    if (targets.length === 0) {
      throw new Error(`${where}: targets must list at least one deployment environment, found none`);
    }
    for (const target of targets) {
      validateAccountId(where, 'targets[].account', target.account);
      if (Token.isUnresolved(target.account) || Token.isUnresolved(target.region)) {
        throw new Error(`${where}: targets must have literal account and region, found a token`);
      }
      validateRegionName(where, 'targets[].region', target.region);
      validateQualifier(where, target.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER);
    }
    const keyStack = Stack.of(key);
    const roleArns = targets.map((t) =>
      BootstrapContract.roleArn(
        BootstrapRoleKind.DEPLOY,
        t.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER,
        t.account,
        t.region,
      ),
    );
    const accounts = [...new Set(targets.map((t) => t.account))].sort();
    const statement = new iam.PolicyStatement({
      sid: 'TargetDeployRolesDecryptArtifacts',
      principals: accounts.map((a) => new iam.AccountPrincipal(a)),
      actions: KMS_DECRYPT_ACTIONS,
      resources: ['*'],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': [...new Set(roleArns)].sort() },
        StringEquals: { 'kms:ViaService': `s3.${keyStack.region ?? Aws.REGION}.amazonaws.com` },
      },
    });
    const result = key.addToResourcePolicy(statement);
    if (!result.statementAdded) {
      throw new Error(`${where}: the key's policy cannot be changed here (imported key); pass a kms.Key from this app`);
    }
    return statement;
  }

  private constructor() {}
}
