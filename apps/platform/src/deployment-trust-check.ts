import { ServiceAllowList } from '@groundwork/cross-account-roles';
import { CfnResource, Stage } from 'aws-cdk-lib';
import { ConfigIssue, PlatformEnvironment } from './config';
import { issueAt, locate, readYamlFile } from './config/yaml-file';

/** The field that lists the services an environment's deployment may manage. */
const ALLOWED_SERVICES_FIELD = ['deploymentTrust', 'allowedServices'] as const;

/**
 * The IAM service prefixes the stacks of `stage` need, each with the resource
 * types that need it: what the environment's CloudFormation execution role
 * must be allowed to manage (ServiceAllowList's mapping). A custom resource
 * counts as `lambda`: every provider in the platform is a Lambda function.
 */
export function servicesNeeded(stage: Stage): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  for (const node of stage.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    for (const service of ServiceAllowList.servicesForResourceType(node.cfnResourceType)) {
      const types = needed.get(service) ?? new Set<string>();
      types.add(node.cfnResourceType);
      needed.set(service, types);
    }
  }
  return needed;
}

/**
 * The environment's stacks create resources of services that its
 * `deploymentTrust.allowedServices` leaves out: the bootstrap template's
 * execution role (and the boundary every role of the environment carries)
 * allow only the listed services, so the first deployment would fail in
 * CloudFormation. Returns the issue, located in the environment's file, or
 * undefined when every needed service is listed.
 */
export function checkAllowedServices(stage: Stage, environment: PlatformEnvironment): ConfigIssue | undefined {
  const allowed = new Set(environment.deploymentTrust.allowedServices);
  const missing = [...servicesNeeded(stage)]
    .filter(([service]) => !allowed.has(service))
    .sort(([a], [b]) => a.localeCompare(b));
  if (missing.length === 0) return undefined;
  const yaml = readYamlFile(environment.sourceFile);
  const listed = environment.deploymentTrust.allowedServices.join(', ');
  const present = locate(yaml, [...ALLOWED_SERVICES_FIELD]).exists;
  const services = missing.map(([service]) => `"${service}"`).join(', ');
  const reasons = missing.map(([service, types]) => `${service} for ${[...types].sort().join(', ')}`).join('; ');
  return issueAt(
    yaml,
    [...ALLOWED_SERVICES_FIELD],
    `a list that also includes ${services} (the environment's stacks create ${reasons}; ` +
      'its CloudFormation execution role may manage only the listed services)',
    { found: present ? `[${listed}]` : `no value (defaults to [${listed}])` },
  );
}
