import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_CONFIG_DIR, exampleConfig, PIPELINE_STACK_RESOURCE_TYPES, tmpOutdir, withEnv } from './helpers';
import {
  BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES,
  BootstrapTemplateError,
  BootstrapTemplateTooLargeError,
  checkBootstrapTemplateBody,
  bootstrapTemplateBodyBytes,
  PIPELINE_STACK_ID,
  renderEnvironmentBootstrapTemplate,
  renderToolingBootstrapTemplate,
  runBootstrapTemplate,
} from '../src/bootstrap-template';
import { loadPlatformConfig, PlatformConfig } from '../src/config';
import { COMMERCIAL_REGIONS } from '../src/config/regions';

// Loading the CDK CLI's bundle (16 MB) and rendering templates for many configs take longer than the default.
jest.setTimeout(300_000);

let cliBundle: any;
/** The pinned CDK CLI's bundle; aws-cdk's package.json exports no entry point, so it is loaded by path. */
function cdkCli(): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cliBundle ??= require(path.join(path.dirname(require.resolve('aws-cdk/package.json')), 'lib', 'index.js'));
  return cliBundle;
}

/**
 * `cdk bootstrap --template FILE` as the pinned CDK CLI runs it (its Bootstrapper, from the aws-cdk bundle),
 * against a CloudFormation with no CDKToolkit stack yet: the TemplateBody of the CreateChangeSet request it
 * makes, or the error it stops with before making one.
 */
async function cdkBootstrap(template: string): Promise<{ templateBody?: string; error?: Error }> {
  const cli = cdkCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-cdk-bootstrap-'));
  const templateFile = path.join(dir, 'bootstrap.json');
  fs.writeFileSync(templateFile, template);
  let templateBody: string | undefined;
  class Recorded extends Error {}
  const cfn = {
    describeStacks: async ({ StackName }: { StackName: string }) => {
      throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), { name: 'ValidationError' });
    },
    createChangeSet: async (request: { TemplateBody?: string }) => {
      templateBody = request.TemplateBody;
      throw new Recorded();
    },
  };
  const sdk = {
    cloudFormation: () => cfn,
    currentAccount: async () => ({ accountId: '333333333333', partition: 'aws' }),
    appendCustomUserAgent: () => undefined,
  };
  const silent = async () => undefined;
  const ioHelper = {
    defaults: Object.fromEntries(['info', 'warn', 'error', 'debug', 'trace', 'result'].map((l) => [l, silent])),
    notify: silent,
    requestResponse: async (msg: { defaultResponse: unknown }) => msg.defaultResponse,
  };
  const environment = { account: '333333333333', region: 'eu-west-1', name: 'aws://333333333333/eu-west-1' };
  try {
    await new cli.Bootstrapper({ source: 'custom', templateFile }, ioHelper).bootstrapEnvironment(
      environment,
      { resolveEnvironment: async (env: unknown) => env, forEnvironment: async () => ({ sdk }) },
      { parameters: {}, execute: true, usePreviousParameters: true },
    );
    return { error: new Error('the CLI made no CreateChangeSet request') };
  } catch (error) {
    return error instanceof Recorded ? { templateBody } : { error: error as Error };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the synthesized pipeline stack: one resource of each type the shipped one creates (platform.test.ts
 * checks the list against it), so that its allow list (and so the tooling template) is the shipped one's without
 * synthesizing the app.
 */
const PIPELINE_TEMPLATE = {
  Resources: Object.fromEntries(
    PIPELINE_STACK_RESOURCE_TYPES.map((type, i) => [`R${i}`, { Type: type, Properties: {} }]),
  ),
};

/** Regions for extra environments, none of them the example's eu-west-1. */
const EXTRA_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-central-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ca-central-1',
  'sa-east-1',
];

/**
 * The example config with one more environment (a copy of dev) in each of `regions`; its directory. Each in an
 * account of its own, or, with `inDevAccount`, all in dev's account (whose dev environment is in a region where
 * AWS Config records IAM, so the others may be in any region).
 */
function configDirWithRegions(regions: readonly string[], inDevAccount = false): string {
  const configDir = tmpOutdir('bootstrap-regions');
  fs.cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
  const dev = fs.readFileSync(path.join(configDir, 'environments', 'dev.yaml'), 'utf-8');
  regions.forEach((region, i) => {
    const name = `extra${i + 1}`;
    fs.writeFileSync(
      path.join(configDir, 'environments', `${name}.yaml`),
      dev
        .replace(/^name: dev$/m, `name: ${name}`)
        .replace('"333333333333"', inDevAccount ? '"333333333333"' : `"${String(700000000000 + i + 1)}"`)
        .replace('region: eu-west-1', `region: ${region}`)
        .replace(/cidr: 10\.10\.0\.0\/16/, `cidr: 10.${100 + i}.0.0/16`)
        // Auto-reconcile reaches the pipeline only in its own region (a config rule).
        .replace('autoReconcile: true', 'autoReconcile: false')
        .replace(/^ {2}Environment: dev$/m, `  Environment: ${name}`),
    );
  });
  return configDir;
}

function configWithRegions(regions: readonly string[], inDevAccount = false): PlatformConfig {
  return loadPlatformConfig(configDirWithRegions(regions, inDevAccount));
}

describe('the body cdk bootstrap sends', () => {
  test('is measured as the pinned CDK CLI serializes it, not as the JSON file written', async () => {
    const template = renderEnvironmentBootstrapTemplate(exampleConfig(), 'dev');
    const sent = await cdkBootstrap(template);
    expect(sent.error).toBeUndefined();
    expect(bootstrapTemplateBodyBytes(template)).toBe(Buffer.byteLength(sent.templateBody!, 'utf-8'));
    // The file is pretty-printed JSON; what counts is the CLI's YAML, which differs in size.
    expect(bootstrapTemplateBodyBytes(template)).not.toBe(Buffer.byteLength(template, 'utf-8'));
  });

  test("the example's templates fit, and the CLI sends them", async () => {
    const config = exampleConfig();
    const templates = [
      ...config.environments.map((env) => renderEnvironmentBootstrapTemplate(config, env.name)),
      renderToolingBootstrapTemplate(config, PIPELINE_TEMPLATE),
    ];
    for (const template of templates) {
      expect(bootstrapTemplateBodyBytes(template)).toBeLessThanOrEqual(BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES);
      expect((await cdkBootstrap(template)).error).toBeUndefined();
    }
  });

  test('the body check refuses exactly the templates the CLI cannot send', async () => {
    // The tooling template of the most regions that render, padded to the limit and one byte over it.
    const template = renderToolingBootstrapTemplate(configWithRegions(EXTRA_REGIONS.slice(0, 10)), PIPELINE_TEMPLATE);
    const padded = (pad: number) => {
      const parsed = JSON.parse(template);
      return JSON.stringify({ ...parsed, Metadata: { ...parsed.Metadata, Pad: 'x'.repeat(pad) } }, undefined, 2);
    };
    // One character: a plain scalar on one line (an empty one would be quoted); each more is one more byte.
    const base = bootstrapTemplateBodyBytes(padded(1));
    expect(base).toBeLessThan(BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES);
    const atLimit = padded(1 + BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES - base);
    const over = padded(2 + BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES - base);
    expect(bootstrapTemplateBodyBytes(atLimit)).toBe(BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES);

    expect((await cdkBootstrap(atLimit)).templateBody).toBeDefined();
    expect(checkBootstrapTemplateBody(atLimit, 'T', 'H')).toBe(atLimit);
    const sent = await cdkBootstrap(over);
    expect(sent.templateBody).toBeUndefined();
    expect(sent.error?.message).toContain('Trying to perform an operation that requires a bootstrap stack');
    expect(() => checkBootstrapTemplateBody(over, 'T', 'H')).toThrow(BootstrapTemplateTooLargeError);
    expect(() => checkBootstrapTemplateBody(over, 'T', 'H')).toThrow(
      `T: expected a bootstrap template that cdk bootstrap can send as its body, at most 51200 bytes as the CDK ` +
        `CLI serializes it (YAML), found 51201 bytes: cdk bootstrap would stop with "BootstrapStackRequired"`,
    );
  });

  test('the tooling templates that render are sent by the CLI, up to the regions where the deploy role policy is full', async () => {
    for (const count of [0, 5, 9, 10]) {
      const template = renderToolingBootstrapTemplate(
        configWithRegions(EXTRA_REGIONS.slice(0, count)),
        PIPELINE_TEMPLATE,
      );
      expect({ regions: count + 1, sent: (await cdkBootstrap(template)).templateBody !== undefined }).toEqual({
        regions: count + 1,
        sent: true,
      });
    }
    // One more region: the deploy role's policy could pass IAM's 6,144 characters (DeploymentTrust's check).
    expect(() =>
      renderToolingBootstrapTemplate(configWithRegions(EXTRA_REGIONS.slice(0, 11)), PIPELINE_TEMPLATE),
    ).toThrow(BootstrapTemplateError);
  });

  test('11 distinct regions fit whatever their names; the 12th is over the deploy role policy limit', async () => {
    // The limits docs/runbooks/bootstrap-accounts.md (step 8) states: the ten longest region names (14
    // characters) with the example's eu-west-1 are 11 distinct regions, the largest body a config can make.
    const longest = [...COMMERCIAL_REGIONS].sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 10);
    expect(longest.map((r) => r.length)).toEqual(Array(10).fill(14));
    // In dev's account: AWS Config records IAM only in older regions, and dev's eu-west-1 is one.
    const eleven = renderToolingBootstrapTemplate(configWithRegions(longest, true), PIPELINE_TEMPLATE);
    expect(bootstrapTemplateBodyBytes(eleven)).toBeLessThanOrEqual(BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES);
    expect((await cdkBootstrap(eleven)).templateBody).toBeDefined();
    const twelve = [...longest, EXTRA_REGIONS.find((r) => !(longest as readonly string[]).includes(r))!];
    expect(() => renderToolingBootstrapTemplate(configWithRegions(twelve, true), PIPELINE_TEMPLATE)).toThrow(
      /the deploy-role's policy would be up to \d+ characters, over IAM's limit of 6144/,
    );
  });

  test('npm run bootstrap-template -- --tooling: exit 1, the reason on stderr, nothing written', () => {
    const configDir = configDirWithRegions(EXTRA_REGIONS);
    const assembly = tmpOutdir('bootstrap-large-assembly');
    fs.writeFileSync(path.join(assembly, `${PIPELINE_STACK_ID}.template.json`), JSON.stringify(PIPELINE_TEMPLATE));
    const out = path.join(tmpOutdir('bootstrap-large-out'), 'tooling.template.json');
    const stderr: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      stderr.push(String(chunk));
      return true;
    });
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = withEnv('INIT_CWD', undefined, () =>
        runBootstrapTemplate(['--tooling', '--config-dir', configDir, '--assembly', assembly, '--out', out]),
      );
    } finally {
      write.mockRestore();
      stdout.mockRestore();
    }
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(
      new RegExp(
        "^bootstrap-template: the tooling account's bootstrap template: \\[GroundworkBootstrap/DeploymentTrust/" +
          "DeployRolePolicy\\] the deploy-role's policy would be up to \\d+ characters, over IAM's limit of 6144 for a " +
          `managed policy: it names each deployable stack in each region \\(deployableStackRegions: ${EXTRA_REGIONS.length + 1} ` +
          'x deployableStackNames: 1\\).*\\. Nothing was written\n$',
      ),
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
