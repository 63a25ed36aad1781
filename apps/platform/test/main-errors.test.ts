import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../src/config';
import { contextConfigDir, createApp, GateFailure, runMain, synthesizePlatform } from '../src/main';
import { invalidCases } from './config/fixtures';
import { EXAMPLE_CONFIG_DIR, exampleConfig, tmpOutdir, withEnv } from './helpers';

/**
 * Every config in the invalid corpus, through the main job itself
 * (`npm run synth` runs `runMain`): exit code 1, the expected errors naming
 * file:line:column and the field path, no stack trace, and no cdk.out.
 */
const cases = invalidCases();

let stderr = '';
let outdir: string;

beforeEach(() => {
  stderr = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  outdir = path.join(tmpOutdir('main-errors'), 'cdk.out');
  process.env.CDK_OUTDIR = outdir;
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.CDK_OUTDIR;
  delete process.env.INIT_CWD;
});

test('the corpus has at least 30 invalid configs', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

test.each(cases.map((c) => [c.name, c] as const))('%s: exit 1, located errors, nothing written', (_name, invalid) => {
  // Paths print relative to where the command ran; the expected lines are relative to the case folder.
  process.env.INIT_CWD = invalid.caseDir;
  const exitCode = runMain(['--config-dir', invalid.configDir]);
  expect(exitCode).toBe(1);
  for (const line of invalid.expected) {
    expect(line).toMatch(/^\S+:\d+:\d+: \S+: expected .+, found .+/);
    expect(stderr).toContain(line);
  }
  expect(stderr).toContain('nothing was synthesized');
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(fs.existsSync(outdir)).toBe(false);
});

describe('the config directory from the CDK context', () => {
  test('configDir is taken as given; keys of the CLI and feature flags are never mistaken for it', () => {
    expect(
      contextConfigDir({
        configDir: 'my/config',
        'aws:cdk:enable-path-metadata': true,
        'availability-zones:account=111111111111:region=eu-west-1': ['eu-west-1a'],
        '@aws-cdk/core:configDir': true,
        'cli-telemetry': false,
      }),
    ).toBe('my/config');
    expect(contextConfigDir({})).toBeUndefined();
  });

  test.each([['confgDir'], ['configdir'], ['config-dir'], ['config_dir'], ['ConfigDirs']])(
    'a near miss %s is a usage error naming configDir',
    (key) => {
      expect(() => contextConfigDir({ [key]: 'x' })).toThrow(
        `-c ${key}=...: expected the context key configDir, found '${key}' (did you mean configDir?)`,
      );
    },
  );

  test('a near miss is up to two edits away (confDir); three edits away (cfgDir) is some other key, ignored', () => {
    // `configdir` and `confdir`: two letters left out. `cfgdir`: three.
    expect(() => contextConfigDir({ confDir: 'x' })).toThrow(
      "-c confDir=...: expected the context key configDir, found 'confDir' (did you mean configDir?)",
    );
    expect(contextConfigDir({ cfgDir: 'x', configDir: 'my/config' })).toBe('my/config');
  });

  test.each([[''], ['   '], [5], [null]])(
    'configDir %j is a usage error, unless --config-dir overrides it',
    (value) => {
      expect(() => contextConfigDir({ configDir: value })).toThrow(
        /^-c configDir=DIR: expected a config directory, found /,
      );
      expect(contextConfigDir({ configDir: value }, true)).toBeUndefined();
    },
  );
});

describe('a validation-report.json left in the outdir by an earlier synth', () => {
  // What CDK writes when a compliance pack fails (gate.test.ts); nothing removes it afterwards.
  const staleReport = JSON.stringify({
    version: '1',
    title: 'Validation Report',
    pluginReports: [
      {
        pluginName: 'cdk-nag',
        violations: [
          {
            ruleName: 'AwsSolutions-S1',
            description: 'The S3 Bucket has server access logs disabled.',
            violatingConstructs: [{ constructPath: '/Default/dev/Security/Bucket' }],
          },
        ],
      },
    ],
  });
  const seed = (dir: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'validation-report.json'), staleReport);
  };

  test("is not taken for this synth's findings: the real error is thrown", () => {
    seed(outdir);
    const synth = () =>
      withEnv('CDK_VALIDATION', 'false', () =>
        synthesizePlatform(createApp(outdir), exampleConfig(), { branch: 'nosuch' }),
      );

    expect(synth).toThrow('branch "nosuch" deploys nothing: groundwork.yaml branches lists main, develop');
    expect(synth).not.toThrow(GateFailure);
  });

  test('does not hide a config error the composed stacks show: exit 1, the located error', () => {
    const configDir = tmpOutdir('main-errors-trust');
    fs.cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
    const prod = path.join(configDir, 'environments', 'prod.yaml');
    fs.writeFileSync(prod, fs.readFileSync(prod, 'utf-8').replace(' lambda,', ''));
    seed(outdir);

    const exitCode = withEnv('CDK_VALIDATION', 'false', () => runMain(['--config-dir', configDir]));

    expect(exitCode).toBe(1);
    expect(stderr).toContain('deploymentTrust.allowedServices: expected a list that also includes "lambda"');
    expect(stderr).toContain('1 config error(s): synth stopped');
    expect(stderr).not.toContain('AwsSolutions-S1');
  });

  test('a synth stopped after composing began removes what it added to the outdir, and keeps what was there', () => {
    const configDir = tmpOutdir('main-errors-cleanup');
    fs.cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
    const prod = path.join(configDir, 'environments', 'prod.yaml');
    fs.writeFileSync(prod, fs.readFileSync(prod, 'utf-8').replace(' lambda,', ''));
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(path.join(outdir, 'kept.txt'), 'from before');

    const exitCode = withEnv('CDK_VALIDATION', 'false', () => runMain(['--config-dir', configDir]));

    expect(exitCode).toBe(1);
    expect(stderr).toContain('1 config error(s): synth stopped');
    // Composing copied the Lambda assets into the outdir (asset.<hash>/) before the trust check stopped it.
    expect(fs.readdirSync(outdir)).toEqual(['kept.txt']);
  });

  test('a ConfigError thrown while the stacks are composed is passed through unchanged', () => {
    seed(outdir);
    const configError = new ConfigError([{ file: 'x.yaml', line: 1, column: 1, path: 'a', expected: 'b', found: 'c' }]);
    const synth = () =>
      withEnv('CDK_VALIDATION', 'false', () =>
        synthesizePlatform(createApp(outdir), exampleConfig(), {
          customizeStage: () => {
            // The stale report is removed first: put it back, as a report this synth wrote would be.
            seed(outdir);
            throw configError;
          },
        }),
      );

    expect(synth).toThrow(configError);
  });
});

test.each([['constructor'], ['toString'], ['__proto__']])(
  'synthesizePlatform: --branch %s, a name every object inherits, is no branch of groundwork.yaml',
  (branch) => {
    expect(() =>
      withEnv('CDK_VALIDATION', 'false', () => synthesizePlatform(createApp(outdir), exampleConfig(), { branch })),
    ).toThrow(`branch "${branch}" deploys nothing: groundwork.yaml branches lists main, develop`);
  },
);
