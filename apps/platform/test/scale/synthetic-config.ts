import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_CONFIG_DIR } from '../helpers';

/** Regions the synthetic environments rotate through (every one has at least 3 AZs). */
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];

/** Environments per wave: an organization rolls out in batches, production last. */
const ENVIRONMENTS_PER_WAVE = 10;

export interface SyntheticConfigOptions {
  /** Every n-th environment is production (approval, one NAT gateway per AZ). @default 5 */
  readonly productionEvery?: number;
  /** Regions the environments rotate through. @default eu-west-1, eu-central-1, us-east-1, us-west-2 */
  readonly regions?: string[];
  /**
   * Length of every environment name (7 to 32): `env0001`, padded as `env00016b86b273…`. Names appear in
   * policies, role names and the drift reconciler's allow-list, so their length moves sizes. @default 7
   */
  readonly nameLength?: number;
}

/**
 * Writes a valid platform config with `environments` environments to `dir`:
 * the example's groundwork.yaml with one wave per ten environments, and
 * environments with distinct accounts, rotating regions and non-overlapping
 * /16 CIDRs. Used by the scale tests and by `npm run bench:synth`.
 */
export function writeSyntheticConfig(dir: string, environments: number, options: SyntheticConfigOptions = {}): void {
  if (!Number.isInteger(environments) || environments < 1 || environments > 4000) {
    throw new Error(`environments: expected an integer from 1 to 4000, found ${environments}`);
  }
  const productionEvery = options.productionEvery ?? 5;
  const nameLength = options.nameLength ?? 7;
  if (!Number.isInteger(nameLength) || nameLength < 7 || nameLength > 32) {
    throw new Error(`nameLength: expected an integer from 7 to 32, found ${nameLength}`);
  }
  const envName = (i: number) => environmentName(i, nameLength);
  const regions = options.regions ?? REGIONS;
  const waveCount = Math.ceil(environments / ENVIRONMENTS_PER_WAVE);
  const waves = Array.from({ length: waveCount }, (_, i) => `  - name: ${waveName(i)}\n    order: ${i + 1}\n`).join('');

  const groundwork = fs
    .readFileSync(path.join(EXAMPLE_CONFIG_DIR, 'groundwork.yaml'), 'utf8')
    .replace(/^waves:\n(?: {2}.*\n)+/m, `waves:\n${waves}`)
    .replace(/^ {2}develop: .*$/m, `  develop: [${envName(0)}]`);
  fs.mkdirSync(path.join(dir, 'environments'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'groundwork.yaml'), groundwork);
  // Auto-reconcile works only in the pipeline's region (the config rejects it elsewhere).
  const toolingRegion = /^tooling:\n(?: {2}.*\n)*? {2}region: (\S+)/m.exec(groundwork)?.[1];
  if (!toolingRegion) throw new Error('synthetic config: no tooling.region in the example groundwork.yaml');

  for (let i = 0; i < environments; i++) {
    const production = (i + 1) % productionEvery === 0;
    fs.writeFileSync(
      path.join(dir, 'environments', `${envName(i)}.yaml`),
      environmentYaml(envName(i), i, production, regions[i % regions.length], toolingRegion),
    );
  }
}

function environmentName(i: number, length: number): string {
  const name = `env${String(i + 1).padStart(4, '0')}`;
  // Padded with hex digits that differ per environment: repeated padding would compress away in the drift
  // reconciler's gzip-compressed allow-list and understate its size.
  return (
    name +
    createHash('sha256')
      .update(String(i))
      .digest('hex')
      .slice(0, length - name.length)
  );
}

function waveName(i: number): string {
  return `wave${String(i + 1).padStart(3, '0')}`;
}

/** A /16 per environment: 10.0.0.0/8 holds 256 of them, 172.16.0.0/12 16 more, then 100.64.0.0/10 64. */
function cidrOf(i: number): string {
  if (i < 256) return `10.${i}.0.0/16`;
  if (i < 272) return `172.${16 + i - 256}.0.0/16`;
  if (i < 336) return `100.${64 + i - 272}.0.0/16`;
  // Beyond 336 environments: /20s inside 10.0.0.0/8 would overlap the /16s above, so use 198.18.0.0/15 /20s.
  const k = i - 336;
  if (k >= 32) throw new Error(`synthetic config: no non-overlapping CIDR left for environment ${i + 1}`);
  return `198.${18 + Math.floor(k / 16)}.${(k % 16) * 16}.0/20`;
}

function environmentYaml(name: string, i: number, production: boolean, region: string, toolingRegion: string): string {
  return `name: ${name}
account: "${String(100000000000 + i * 7919)}"
region: ${region}
wave: ${waveName(Math.floor(i / ENVIRONMENTS_PER_WAVE))}
production: ${production}
approvalRequired: ${production}

vpc:
  cidr: ${cidrOf(i)}
  azCount: ${production ? 3 : 2}
  natStrategy: ${production ? 'perAz' : 'single'}
  flowLogRetentionDays: ${production ? 365 : 30}
  interfaceEndpoints: [ssm, ssmmessages, ec2messages, logs, kms, sts]

alarms:
  unauthorizedApiCalls: ${production ? 5 : 10}

drift:
  schedule: rate(${production ? 15 : 60} minutes)
  autoReconcile: ${!production && region === toolingRegion}

security:
  guardDuty: true
  securityHub: true
  configRecorder: true
  configRules: true

deploymentTrust:
  allowedServices: [access-analyzer, cloudformation, cloudtrail, cloudwatch, config, ec2, events, guardduty, iam, kms, lambda, logs, s3, securityhub, sns, ssm, states, xray]

tags:
  Environment: ${name}
`;
}
