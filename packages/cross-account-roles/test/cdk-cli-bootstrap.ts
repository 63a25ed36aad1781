import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs the pinned CDK CLI's own bootstrap code (`Bootstrapper`, toolkit-lib bootstrap-environment.ts, bundled in
 * aws-cdk/lib/index.js) against an in-memory CloudFormation, and records the CreateChangeSet request it makes:
 * the parameter values `cdk bootstrap` would send, including what it carries over from an existing bootstrap
 * stack. Nothing here knows which values the CLI picks; only the CLI's options are spelled out, as its
 * command-line parser passes them (cli.ts `case 'bootstrap'`).
 */

// aws-cdk's package.json exports no entry point: load the bundle by path.
const CLI_ROOT = path.dirname(require.resolve('aws-cdk/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require(path.join(CLI_ROOT, 'lib', 'index.js'));

/** `options.parameters` of the CLI's Bootstrapper (BootstrappingParameters), as `cdk bootstrap` flags fill it. */
export interface CliBootstrapParameters {
  readonly bucketName?: string;
  readonly kmsKeyId?: string;
  readonly createCustomerMasterKey?: boolean;
  readonly qualifier?: string;
  readonly publicAccessBlockConfiguration?: boolean;
  readonly customPermissionsBoundary?: string;
  readonly trustedAccounts?: string[];
  readonly trustedAccountsForLookup?: string[];
  readonly untrustedAccounts?: string[];
  readonly cloudFormationExecutionPolicies?: string[];
}

/** A CDKToolkit stack that exists before the bootstrap: its parameter values and outputs. */
export interface ExistingBootstrapStack {
  readonly parameters: { [key: string]: string };
  readonly outputs: { [key: string]: string };
}

export interface CliBootstrapOptions {
  /** Our template (parsed JSON); the CLI's built-in template when absent. */
  readonly template?: any;
  readonly parameters?: CliBootstrapParameters;
  /** `--force` */
  readonly force?: boolean;
  /** `--no-previous-parameters` */
  readonly noPreviousParameters?: boolean;
  /** `--termination-protection` */
  readonly terminationProtection?: boolean;
  /** `--no-execute` */
  readonly noExecute?: boolean;
  /** The CDKToolkit stack already in the environment. */
  readonly existing?: ExistingBootstrapStack;
}

export interface CloudFormationParameter {
  readonly ParameterKey: string;
  readonly ParameterValue?: string;
  readonly UsePreviousValue?: boolean;
}

export interface CliBootstrapResult {
  /** The Parameters of the CreateChangeSet request. */
  readonly sent: CloudFormationParameter[];
  /** The value CloudFormation would give each parameter of the template: sent, previous or default. */
  readonly values: { [key: string]: string };
  /** What the CLI printed (info and warnings). */
  readonly messages: string[];
}

const ACCOUNT = '222222222222';
const ENVIRONMENT = { account: ACCOUNT, region: 'eu-west-1', name: `aws://${ACCOUNT}/eu-west-1` };

class ChangeSetRecorded extends Error {}

export async function cliBootstrap(options: CliBootstrapOptions): Promise<CliBootstrapResult> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-cli-bootstrap-'));
  let request: any;
  const messages: string[] = [];
  const existing = options.existing;
  const cfn = {
    describeStacks: async ({ StackName }: { StackName: string }) => {
      if (!existing) {
        // The exact error CloudFormationStack.lookup treats as "no such stack".
        throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), { name: 'ValidationError' });
      }
      return {
        Stacks: [
          {
            StackName,
            StackId: `arn:aws:cloudformation:${ENVIRONMENT.region}:${ACCOUNT}:stack/${StackName}/1`,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(0),
            Parameters: Object.entries(existing.parameters).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
            Outputs: Object.entries(existing.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      };
    },
    getTemplate: async () => ({ TemplateBody: '{}' }),
    deleteChangeSet: async () => ({}),
    describeChangeSet: async () => {
      throw Object.assign(new Error('no change set'), { name: 'ChangeSetNotFoundException' });
    },
    createChangeSet: async (req: any) => {
      request = req;
      throw new ChangeSetRecorded();
    },
  };
  const unexpected = (service: string) =>
    new Proxy(
      {},
      {
        get: (_t, call) => async () => {
          throw new Error(`unexpected ${service}.${String(call)} call`);
        },
      },
    );
  const sdk = {
    cloudFormation: () => cfn,
    currentAccount: async () => ({ accountId: ACCOUNT, partition: 'aws' }),
    appendCustomUserAgent: () => undefined,
    iam: () => unexpected('iam'),
    s3: () => unexpected('s3'),
    ssm: () => unexpected('ssm'),
  };
  const sdkProvider = {
    resolveEnvironment: async (env: unknown) => env,
    forEnvironment: async () => ({ sdk }),
  };
  const log =
    (level: string) =>
    async (...args: unknown[]) => {
      if (level !== 'debug' && level !== 'trace') messages.push(args.map(String).join(' '));
    };
  const ioHelper = {
    defaults: Object.fromEntries(['info', 'warn', 'error', 'debug', 'trace', 'result'].map((l) => [l, log(l)])),
    notify: async () => undefined,
    requestResponse: async (msg: { defaultResponse: unknown }) => msg.defaultResponse,
  };
  try {
    let source: any = { source: 'default' };
    if (options.template) {
      const templateFile = path.join(outdir, 'bootstrap.json');
      fs.writeFileSync(templateFile, JSON.stringify(options.template));
      source = { source: 'custom', templateFile };
    }
    const bootstrapper = new cli.Bootstrapper(source, ioHelper);
    try {
      await bootstrapper.bootstrapEnvironment(ENVIRONMENT, sdkProvider, {
        parameters: options.parameters ?? {},
        forceDeployment: options.force ?? false,
        terminationProtection: options.terminationProtection,
        execute: options.noExecute ? false : true,
        usePreviousParameters: options.noPreviousParameters ? false : true,
      });
    } catch (e) {
      if (!(e instanceof ChangeSetRecorded)) throw e;
    }
    if (!request) {
      throw new Error(`the CLI made no CreateChangeSet request; it said:\n${messages.join('\n')}`);
    }
    const template = options.template ?? (await cliTemplate());
    const sent: CloudFormationParameter[] = request.Parameters ?? [];
    const values: { [key: string]: string } = {};
    for (const [key, declared] of Object.entries<any>(template.Parameters ?? {})) {
      const given = sent.find((p) => p.ParameterKey === key);
      if (given?.UsePreviousValue) values[key] = existing!.parameters[key];
      else if (given) values[key] = given.ParameterValue!;
      else if (declared.Default !== undefined) values[key] = String(declared.Default);
    }
    return { sent, values, messages };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The CLI's built-in bootstrap template, as `cdk bootstrap --show-template --json` prints it. */
export async function cliTemplate(): Promise<any> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await new cli.Bootstrapper({ source: 'default' }, undefined).showTemplate(true);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(chunks.join(''));
}

/** The stack CloudFormation keeps after a bootstrap: the values it deployed, and the template's outputs. */
export function stackAfter(result: CliBootstrapResult, template: any): ExistingBootstrapStack {
  const outputs: { [key: string]: string } = {};
  for (const [key, output] of Object.entries<any>(template.Outputs ?? {})) {
    if (typeof output.Value === 'string') outputs[key] = output.Value;
  }
  return { parameters: result.values, outputs };
}

/**
 * What CloudFormation would refuse before creating the change set: a parameter the template does not declare,
 * a value outside a parameter's AllowedValues, or a failed Rules assertion (by its AssertDescription).
 */
export function refusals(template: any, result: CliBootstrapResult): string[] {
  const found: string[] = [];
  const declared = template.Parameters ?? {};
  for (const p of result.sent) {
    if (!(p.ParameterKey in declared)) found.push(`${p.ParameterKey}: not declared by the template`);
  }
  for (const [key, parameter] of Object.entries<any>(declared)) {
    const value = result.values[key];
    if (value === undefined) {
      found.push(`${key}: no value`);
    } else if (parameter.AllowedValues && !parameter.AllowedValues.includes(value)) {
      found.push(`${key}: '${value}' is not one of ${JSON.stringify(parameter.AllowedValues)}`);
    }
  }
  const valueOf = (expr: any): any => {
    if (typeof expr === 'string' || Array.isArray(expr)) return expr;
    if (expr && typeof expr.Ref === 'string' && expr.Ref in declared) {
      const value = result.values[expr.Ref];
      return declared[expr.Ref].Type === 'CommaDelimitedList' ? value.split(',') : value;
    }
    throw new Error(`refusals: unsupported expression ${JSON.stringify(expr)}`);
  };
  const holds = (expr: any): boolean => {
    const [fn, args] = Object.entries<any>(expr)[0];
    switch (fn) {
      case 'Fn::EachMemberIn':
        return (valueOf(args[0]) as string[]).every((m) => (valueOf(args[1]) as string[]).includes(m));
      case 'Fn::EachMemberEquals':
        return (valueOf(args[0]) as string[]).every((m) => m === valueOf(args[1]));
      case 'Fn::Equals':
        return valueOf(args[0]) === valueOf(args[1]);
      default:
        throw new Error(`refusals: unsupported rule function ${fn}`);
    }
  };
  for (const rule of Object.values<any>(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined) throw new Error('refusals: rule conditions are not supported');
    for (const assertion of rule.Assertions) {
      if (!holds(assertion.Assert)) found.push(`rule: ${assertion.AssertDescription}`);
    }
  }
  return found;
}
