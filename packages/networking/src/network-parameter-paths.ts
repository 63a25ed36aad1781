import { Token } from 'aws-cdk-lib';

/**
 * The SSM parameter path contract between a `WorkloadVpc` (the writer) and the
 * app-team stacks that import it with `WorkloadVpc.fromEnvironment` (the readers).
 *
 * Every path lives under `/groundwork/<environmentName>/network/`. Both sides
 * call these functions, so the contract has one source.
 */
export class NetworkParameterPaths {
  /** Root of every parameter `WorkloadVpc` publishes for one environment: `/groundwork/<env>/network`. */
  public static prefix(environmentName: string): string {
    NetworkParameterPaths.assertValidEnvironmentName(environmentName);
    return `/groundwork/${environmentName}/network`;
  }

  /** `String`: the VPC id. */
  public static vpcId(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/vpc-id`;
  }

  /** `String`: the VPC's primary IPv4 CIDR block. */
  public static vpcCidr(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/vpc-cidr`;
  }

  /** `StringList`: the availability zone names, in subnet order. */
  public static availabilityZones(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/availability-zones`;
  }

  /** `StringList`: public subnet ids, one per AZ, in AZ order. */
  public static publicSubnetIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/public-subnet-ids`;
  }

  /** `StringList`: public subnet route table ids, in AZ order. */
  public static publicRouteTableIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/public-route-table-ids`;
  }

  /** `StringList`: private-with-egress subnet ids, in AZ order (absent when the NAT strategy is NONE). */
  public static privateSubnetIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/private-subnet-ids`;
  }

  /** `StringList`: private-with-egress route table ids, in AZ order (absent when the NAT strategy is NONE). */
  public static privateRouteTableIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/private-route-table-ids`;
  }

  /** `StringList`: isolated subnet ids, in AZ order. */
  public static isolatedSubnetIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/isolated-subnet-ids`;
  }

  /** `StringList`: isolated route table ids, in AZ order. */
  public static isolatedRouteTableIds(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/isolated-route-table-ids`;
  }

  /** `String`: id of the security group attached to the interface endpoints. */
  public static endpointSecurityGroupId(environmentName: string): string {
    return `${NetworkParameterPaths.prefix(environmentName)}/endpoint-security-group-id`;
  }

  /**
   * Throws unless `environmentName` can be one segment of an SSM parameter name.
   *
   * SSM allows `a-zA-Z0-9_.-` in a path segment; we also require a literal string
   * (not a token, not `undefined`) because the path must be known at synthesis time.
   */
  public static assertValidEnvironmentName(environmentName: string): void {
    // JavaScript callers and config values bypass the type: the pattern below would read `undefined` or
    // `null` as the text 'undefined'/'null' and accept it, giving `/groundwork/undefined/network/...`.
    if (typeof environmentName !== 'string') {
      const found =
        environmentName === undefined || environmentName === null
          ? String(environmentName)
          : `a ${typeof environmentName} (${String(environmentName)})`;
      throw new Error(`NetworkParameterPaths: environmentName must be a string, found ${found}`);
    }
    if (Token.isUnresolved(environmentName)) {
      throw new Error(
        'NetworkParameterPaths: environmentName must be a literal string known at synthesis time, found a token',
      );
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(environmentName)) {
      throw new Error(
        `NetworkParameterPaths: environmentName must be 1-63 characters of a-z, A-Z, 0-9, '_', '.', '-' starting with a letter or digit, found '${environmentName}'`,
      );
    }
  }

  private constructor() {}
}
