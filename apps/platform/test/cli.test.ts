import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpOutdir } from './helpers';

/**
 * The commands as a person runs them (compiled JavaScript in lib/, built by
 * the nx `build` target that `test` depends on).
 */
const appDir = path.resolve(__dirname, '..');
const invalidCase = path.join(__dirname, 'fixtures', 'config', 'invalid');

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const lib = path.join(appDir, 'lib', `${script}.js`);
  if (!fs.existsSync(lib)) throw new Error(`${lib} is missing: compile first (npx projen compile)`);
  return spawnSync(process.execPath, [lib, ...args], {
    cwd: appDir,
    encoding: 'utf-8',
    env: { ...process.env, INIT_CWD: appDir, CDK_VALIDATION: 'false', ...env },
  });
}

describe('main job (node lib/main.js)', () => {
  // One case as a real process (exit code, stderr); main-errors.test.ts runs the whole corpus in-process.
  const cases = fs.readdirSync(invalidCase).sort().slice(0, 1);

  test.each(cases)('invalid config %s: exit 1, located errors, no stack trace, nothing written', (name) => {
    const outdir = path.join(tmpOutdir('main-invalid'), 'cdk.out');
    const result = run('main', ['--config-dir', path.join(invalidCase, name)], { CDK_OUTDIR: outdir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\.yaml:\d+:\d+: /);
    expect(result.stderr).toContain('nothing was synthesized');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('a deployment trust that cannot deploy its stacks: exit 1, every such environment located, nothing synthesized', () => {
    const configDir = tmpOutdir('main-trust');
    fs.cpSync(path.join(appDir, 'config'), configDir, { recursive: true });
    // test and prod lose lambda; dev, composed first, keeps the example's list.
    for (const name of ['test', 'prod']) {
      const full = path.join(configDir, 'environments', `${name}.yaml`);
      fs.writeFileSync(full, fs.readFileSync(full, 'utf-8').replace(' lambda,', ''));
    }
    const outdir = path.join(tmpOutdir('main-trust-out'), 'cdk.out');
    // CDK_OUTDIR set, as under the CDK CLI: an App with autoSynth would synthesize again as the process exits.
    const result = run('main', ['--config-dir', configDir], { CDK_OUTDIR: outdir });
    expect(result.status).toBe(1);
    for (const name of ['test', 'prod']) {
      expect(result.stderr).toContain(
        `environments/${name}.yaml:32:20: deploymentTrust.allowedServices: expected a list that also includes "lambda" (the environment's stacks create lambda for AWS::Lambda::Function, Custom::GroundworkEbsEncryptionByDefault, Custom::GroundworkIamAccountPasswordPolicy, Custom::GroundworkS3AccountPublicAccessBlock, Custom::VpcRestrictDefaultSG;`,
      );
    }
    expect(result.stderr).not.toContain('environments/dev.yaml');
    expect(result.stderr).toContain('2 config error(s): synth stopped');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // Every environment is checked before the first is synthesized, and what composing wrote (aws-cdk-lib
    // copies each Lambda asset into cdk.out when its construct is created) is removed: nothing is left.
    expect(fs.existsSync(outdir) ? fs.readdirSync(outdir, { recursive: true }) : []).toEqual([]);
  });

  // Names every object inherits (constructor, toString, __proto__) are no branches either.
  test.each([
    ['release/9', ''],
    ['mian', ' (did you mean "main"?)'],
    ['constructor', ''],
    ['toString', ''],
    ['__proto__', ''],
  ])('--branch %s, not in groundwork.yaml branches: a usage error (exit 2), nothing written', (branch, hint) => {
    const outdir = path.join(tmpOutdir('main-branch'), 'cdk.out');
    const result = run('main', ['--branch', branch], { CDK_OUTDIR: outdir });
    expect(result.stderr).toContain(
      `synth: --branch: expected a branch of groundwork.yaml branches (main, develop), found "${branch}"${hint}\n`,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('--outdir or CDK_OUTDIR where no directory can be written: a usage error (exit 2) naming it, nothing written', () => {
    const parent = tmpOutdir('main-outdir-bad');
    fs.writeFileSync(path.join(parent, 'afile'), '');
    const outdirCases: [string[], Record<string, string>, string][] = [
      [
        ['--outdir', 'afile'],
        {},
        '--outdir: expected a directory to write to (created if missing), found a file at afile',
      ],
      [
        ['--outdir', 'afile/sub/asm'],
        {},
        '--outdir: expected a directory to write to (created if missing), found the file afile in the path afile/sub/asm',
      ],
      [
        [],
        { CDK_OUTDIR: path.join(parent, 'afile') },
        `CDK_OUTDIR: expected a directory to write to (created if missing), found a file at afile`,
      ],
    ];
    for (const [args, env, message] of outdirCases) {
      const result = run('main', args, { INIT_CWD: parent, ...env });
      expect(result.stderr).toContain(`synth: ${message}\n`);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
    }
    expect(fs.readdirSync(parent)).toEqual(['afile']);
  });

  test.each([
    ['{"configDir":"  "}', '-c configDir=DIR: expected a config directory, found "  "'],
    ['{"configDir":""}', '-c configDir=DIR: expected a config directory, found ""'],
    [
      '{"confgDir":"../config","aws:cdk:enable-path-metadata":true}',
      "-c confgDir=...: expected the context key configDir, found 'confgDir' (did you mean configDir?)",
    ],
    [
      '{"config-dir":"../config"}',
      "-c config-dir=...: expected the context key configDir, found 'config-dir' (did you mean configDir?)",
    ],
    ['not json', 'CDK_CONTEXT_JSON: expected CDK context as a JSON object, found invalid JSON'],
  ])('CDK_CONTEXT_JSON=%s: a usage error (exit 2), not the default config, nothing written', (context, message) => {
    const outdir = path.join(tmpOutdir('main-context'), 'cdk.out');
    const result = run('main', [], { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: context });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`synth: ${message}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('configDir in the context file the CDK CLI writes when the context is too large for the environment', () => {
    const overflow = path.join(tmpOutdir('main-context-overflow'), 'context-overflow.json');
    fs.writeFileSync(overflow, JSON.stringify({ configDir: path.join(invalidCase, 'cidr-leading-zeros') }));
    const outdir = path.join(tmpOutdir('main-context-overflow-out'), 'cdk.out');
    const result = run('main', [], {
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: '{"aws:cdk:enable-path-metadata":true}',
      CONTEXT_OVERFLOW_LOCATION_ENV: overflow,
    });
    expect(result.stderr).toContain('cidr-leading-zeros/environments/dev.yaml:7:9: vpc.cidr: expected');
    expect(result.status).toBe(1);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('--outdir DIR writes the cloud assembly to DIR, relative to where the command runs', () => {
    const parent = tmpOutdir('main-outdir');
    // An earlier run's output: an entry this run rewrites whole, and one it does not write at all.
    const custom = path.join(parent, 'custom-out');
    fs.mkdirSync(path.join(custom, 'assembly-dev'), { recursive: true });
    fs.writeFileSync(path.join(custom, 'assembly-dev', 'stale.template.json'), '{}');
    fs.mkdirSync(path.join(custom, 'bootstrap'));
    fs.writeFileSync(path.join(custom, 'bootstrap', 'dev.template.json'), '{}');
    const result = run('main', ['--branch', 'develop', '--outdir', 'custom-out'], {
      INIT_CWD: parent,
      CDK_OUTDIR: path.join(parent, 'not-here'),
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(custom, 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(custom, 'assembly-dev', 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(custom, 'assembly-dev', 'stale.template.json'))).toBe(false);
    expect(fs.existsSync(path.join(custom, 'bootstrap', 'dev.template.json'))).toBe(true);
    expect(fs.readdirSync(custom).filter((entry) => entry.startsWith('.partial-synth-'))).toEqual([]);
    // The paths it prints are where the files are now, not where they were written.
    expect(result.stdout).toContain('cloud assembly:    custom-out\n');
    expect(result.stdout).toContain(`compliance report: ${path.join('custom-out', 'compliance-report.md')}\n`);
    expect(fs.existsSync(path.join(custom, 'compliance-report.md'))).toBe(true);
    expect(fs.existsSync(path.join(parent, 'not-here'))).toBe(false);
  });

  // Each kind of mistake is covered by cli-args.test.ts; here, that the main job stops on them.
  test.each([
    [
      ['--confg-dir', 'x'],
      "unknown option '--confg-dir', expected one of: --config-dir VALUE, --branch VALUE, --outdir VALUE",
    ],
    [['--outdir', '--branch', 'main'], "--outdir needs a value, found '--branch'"],
  ])('%j: a usage error (exit 2) before anything is read or written', (args, message) => {
    const outdir = path.join(tmpOutdir('main-usage'), 'cdk.out');
    const result = run('main', args, { CDK_OUTDIR: outdir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`synth: ${message}`);
    expect(result.stderr).toContain('Usage: node lib/main.js');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('--help prints usage', () => {
    const result = run('main', ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: node lib/main.js [--config-dir DIR] [--branch BRANCH] [--outdir DIR]\n');
  });

  test('run as the main job, the validation worker starts before aws-cdk-lib loads; loaded as a library, it does not', () => {
    // Preloaded into the process: for each worker started, whether aws-cdk-lib was loaded by then.
    const preload = path.join(tmpOutdir('main-worker'), 'record-workers.js');
    fs.writeFileSync(
      preload,
      `const path = require('path');
const threads = require('worker_threads');
const started = [];
threads.Worker = class extends threads.Worker {
  constructor(...args) {
    super(...args);
    started.push(Object.keys(require.cache).some((file) => file.includes(path.sep + 'aws-cdk-lib' + path.sep)));
  }
};
process.on('exit', () => process.stderr.write('workers started, aws-cdk-lib loaded: ' + JSON.stringify(started) + '\\n'));
`,
    );
    const env = { ...process.env, INIT_CWD: appDir, CDK_VALIDATION: '' };
    const main = path.join(appDir, 'lib', 'main.js');
    const asJob = spawnSync(process.execPath, ['-r', preload, main, '--help'], { cwd: appDir, encoding: 'utf-8', env });
    expect(asJob.status).toBe(0);
    expect(asJob.stderr).toContain('workers started, aws-cdk-lib loaded: [false]');

    const asLibrary = spawnSync(process.execPath, ['-r', preload, '-e', `require(${JSON.stringify(main)})`], {
      cwd: appDir,
      encoding: 'utf-8',
      env,
    });
    expect(asLibrary.status).toBe(0);
    expect(asLibrary.stderr).toContain('workers started, aws-cdk-lib loaded: []');
  });
});

describe('bootstrap template (node lib/bootstrap-template.js)', () => {
  test('writes the least-privilege template for one environment', () => {
    const out = path.join(tmpOutdir('bootstrap'), 'dev.template.json');
    const result = run('bootstrap-template', ['--env', 'dev', '--out', out]);
    expect(result.status).toBe(0);
    // The runbook's command: termination protection on, and a change set to review instead of a deployment.
    expect(result.stdout).toContain(
      `cdk bootstrap aws://333333333333/eu-west-1 --template ${path.relative(appDir, out)} ` +
        '--qualifier hnb659fds --termination-protection --no-execute\n',
    );
    const template = JSON.parse(fs.readFileSync(out, 'utf-8'));
    const roleNames = Object.values(template.Resources)
      .filter((r: any) => r.Type === 'AWS::IAM::Role')
      .map((r: any) => JSON.stringify(r.Properties.RoleName));
    expect(roleNames.join('\n')).toMatch(/deploy-role/);
    // Trust goes to the pipeline's roles in the tooling account only.
    expect(JSON.stringify(template)).toContain(':iam::111111111111:role/example-platform*');
    expect(template.Parameters.Qualifier).toBeDefined();
  });

  test('an unknown environment is a usage error naming the known ones', () => {
    const result = run('bootstrap-template', ['--env', 'staging']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no environment "staging" (known: dev, test, prod)');
  });

  test('a mistyped option or an --assembly that would be ignored is a usage error, and nothing is written', () => {
    const out = path.join(tmpOutdir('bootstrap-usage'), 'dev.template.json');
    const typo = run('bootstrap-template', ['--env', 'dev', '--output', out]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain(
      "bootstrap-template: unknown option '--output', expected one of: --env VALUE, --config-dir VALUE, --out VALUE, --assembly VALUE, --tooling",
    );
    const ignored = run('bootstrap-template', ['--env', 'dev', '--assembly', 'cdk.out', '--out', out]);
    expect(ignored.status).toBe(2);
    expect(ignored.stderr).toContain('--assembly applies to --tooling only, found it with --env');
    expect(run('bootstrap-template', ['--tooling=yes']).stderr).toContain(
      "--tooling takes no value, found '--tooling=yes'",
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('config errors: exit 1, the errors and a count line, nothing written', () => {
    const out = path.join(tmpOutdir('bootstrap-config'), 'dev.template.json');
    const configDir = path.join(invalidCase, 'several-in-one-environment');
    const expected = fs.readFileSync(path.join(configDir, 'expected.txt'), 'utf-8').trim().split('\n');
    const result = run('bootstrap-template', ['--env', 'dev', '--config-dir', configDir, '--out', out], {
      INIT_CWD: configDir,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${expected.join('\n')}\n\n${expected.length} config errors: nothing was written\n`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--out where no file can be written: a usage error (exit 2) naming --out, nothing written', () => {
    const parent = tmpOutdir('bootstrap-out-bad');
    fs.mkdirSync(path.join(parent, 'adir'));
    fs.writeFileSync(path.join(parent, 'afile'), '');
    const cases: [string, string][] = [
      ['adir', 'found a directory at adir'],
      ['afile/x/dev.json', 'found the file afile in the path afile/x/dev.json'],
    ];
    for (const [out, found] of cases) {
      const result = run('bootstrap-template', ['--env', 'dev', '--out', out], { INIT_CWD: parent });
      expect(result.stderr).toContain(
        `bootstrap-template: --out: expected a file to write to (its directory created if missing), ${found}\n`,
      );
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
    }
    expect(fs.readdirSync(parent).sort()).toEqual(['adir', 'afile']);
    expect(fs.readdirSync(path.join(parent, 'adir'))).toEqual([]);
  });

  test('--env or --tooling is required, not both', () => {
    const neither = run('bootstrap-template', []);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain('--env NAME or --tooling is required');
    const both = run('bootstrap-template', ['--env', 'dev', '--tooling']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--env and --tooling exclude each other');
  });

  test("--tooling: the tooling account's template, from the synthesized pipeline stack's services", () => {
    const assembly = tmpOutdir('bootstrap-assembly');
    // A pipeline stack that creates a pipeline and a CodeBuild project.
    fs.writeFileSync(
      path.join(assembly, 'Pipeline.template.json'),
      JSON.stringify({
        Resources: {
          P: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Name: 'example-platform' } },
          B: { Type: 'AWS::CodeBuild::Project' },
        },
      }),
    );
    const out = path.join(assembly, 'tooling.template.json');
    const result = run('bootstrap-template', ['--tooling', '--assembly', assembly, '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cdk bootstrap aws://111111111111/eu-west-1 --template');
    const template = JSON.parse(fs.readFileSync(out, 'utf-8'));
    const statements = Object.values(template.Resources)
      .filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r: any) => r.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.filter((st: any) => st.Sid === sid).flatMap((st: any) => st.Action);
    // The execution role gets what the stack creates; the boundary also lets the source action use the connection.
    expect(bySid('AllowedServices')).toEqual(['codebuild:*', 'codepipeline:*']);
    expect(bySid('AllowDeclaredServices')).toEqual([
      'codebuild:*',
      'codeconnections:*',
      'codepipeline:*',
      'codestar-connections:*',
    ]);
    expect(JSON.stringify(template)).toContain(':iam::111111111111:role/example-platform*');
  });

  test('--tooling with a corrupt pipeline template: exit 1 naming the file, no stack trace, nothing written', () => {
    const assembly = tmpOutdir('bootstrap-corrupt');
    fs.writeFileSync(path.join(assembly, 'Pipeline.template.json'), '{x');
    const out = path.join(assembly, 'tooling.template.json');
    const result = run('bootstrap-template', ['--tooling', '--assembly', assembly, '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `bootstrap-template: ${path.join(assembly, 'Pipeline.template.json')}: expected the synthesized pipeline stack's ` +
        'CloudFormation template (run npm run synth again), found invalid JSON: ',
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(out)).toBe(false);

    fs.writeFileSync(path.join(assembly, 'Pipeline.template.json'), '[]');
    expect(run('bootstrap-template', ['--tooling', '--assembly', assembly, '--out', out]).stderr).toContain(
      "Pipeline.template.json: expected the synthesized pipeline stack's CloudFormation template (run npm run synth again), found a JSON list",
    );
  });

  test("--tooling refuses another branch's pipeline: the tooling bootstrap serves the repository branch's", () => {
    const assembly = tmpOutdir('bootstrap-develop');
    fs.writeFileSync(
      path.join(assembly, 'Pipeline.template.json'),
      JSON.stringify({
        Resources: { P: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Name: 'example-platform-develop' } } },
      }),
    );
    const out = path.join(assembly, 'tooling.template.json');
    const result = run('bootstrap-template', ['--tooling', '--assembly', assembly, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "--tooling renders the tooling account's bootstrap from the pipeline of the repository branch " +
        `(main: pipeline example-platform), and ${path.join(assembly, 'Pipeline.template.json')} holds pipeline ` +
        'example-platform-develop (a synth with --branch): run npm run synth without --branch first',
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--tooling without a synthesized pipeline says to synthesize first', () => {
    const result = run('bootstrap-template', ['--tooling', '--assembly', tmpOutdir('bootstrap-empty')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Pipeline\.template\.json does not exist: run npm run synth first/);
  });
});
