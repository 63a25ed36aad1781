import * as fs from 'fs';
import * as path from 'path';
import { contextConfigDir, runMain } from '../src/main';
import { invalidCases } from './config/fixtures';
import { tmpOutdir } from './helpers';

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
