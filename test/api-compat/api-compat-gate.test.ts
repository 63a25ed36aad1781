import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projenTask, releaseTasksFor, REPO_ROOT, runGate, ScratchRepo, ScriptRun } from './scratch-repo';

/**
 * The API compatibility gate end to end, on a scratch repository holding one tiny jsii package
 * (`packages/tiny`) released as 1.0.0: removing a prop from its props interface fails the gate, and
 * the same change passes once its commit is marked breaking, which projen's bump turns into 2.0.0.
 */

const PACKAGE = '@groundwork/tiny';
const PKG_DIR = 'packages/tiny';

const SOURCE_WITH_GREETING = `/** Props of a Greeter. */
export interface GreeterProps {
  /** Who to greet. */
  readonly name: string;
  /**
   * The greeting.
   * @default 'Hello'
   */
  readonly greeting?: string;
}

/** Makes a greeting. */
export class Greeter {
  /** The greeting. */
  public readonly message: string;

  constructor(props: GreeterProps) {
    this.message = \`\${props.greeting ?? 'Hello'} \${props.name}\`;
  }
}
`;

const SOURCE_WITHOUT_GREETING = SOURCE_WITH_GREETING.replace(
  /  \/\*\*\n   \* The greeting\.\n[\s\S]*?readonly greeting\?: string;\n/,
  '',
).replace("props.greeting ?? 'Hello'", "'Hello'");

const CHANGE_SUBJECT = 'feat(tiny): greet by name only';
/** Each gate run starts ts-node and jsii-diff: a few seconds alone, more beside other test files. */
const GATE_TIMEOUT = 30_000;

let repo: ScratchRepo;
let gateOnUnchangedApi: ScriptRun;

function compile(): void {
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], {
    cwd: repo.path(PKG_DIR),
    stdio: 'pipe',
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] },
  });
}

function gate(...extra: string[]): ScriptRun {
  return runGate('api-compat', extra.length > 0 ? extra : [repo.path(PKG_DIR)]);
}

beforeAll(() => {
  repo = new ScratchRepo('groundwork-api-compat-');
  repo.write(
    `${PKG_DIR}/package.json`,
    JSON.stringify(
      {
        name: PACKAGE,
        version: '0.0.0',
        description: 'A scratch jsii package for the API compatibility gate test',
        license: 'Apache-2.0',
        author: { name: 'gate test', email: 'gate-test@groundwork.example' },
        repository: { type: 'git', url: 'https://example.com/groundwork.git', directory: PKG_DIR },
        main: 'lib/index.js',
        types: 'lib/index.d.ts',
        stability: 'experimental',
        jsii: { outdir: 'dist', targets: {}, tsc: { outDir: 'lib', rootDir: 'src' } },
      },
      undefined,
      2,
    ),
  );
  repo.write(`${PKG_DIR}/README.md`, '# tiny\n');
  repo.write(`${PKG_DIR}/.projen/tasks.json`, releaseTasksFor(PACKAGE));
  repo.write(`${PKG_DIR}/src/index.ts`, SOURCE_WITH_GREETING);
  // Another package, to show that only commits touching tiny count for tiny.
  repo.write('packages/other/README.md', '# other\n');
  repo.commit('feat(tiny): greeter');
  compile();

  // The release of 1.0.0: publish, then record the released API and tag it.
  expect(gate(repo.path(PKG_DIR), '--update-baseline').status).toBe(0);
  repo.commit('chore(release): API baseline of @groundwork/tiny 1.0.0');
  repo.git('tag', `${PACKAGE}@v1.0.0`);
  gateOnUnchangedApi = gate();

  // The change under test: remove an optional prop from the props interface.
  repo.write(`${PKG_DIR}/src/index.ts`, SOURCE_WITHOUT_GREETING);
  repo.commit(CHANGE_SUBJECT);
  compile();
}, 180_000);

afterAll(() => repo?.remove());

test(
  'the release recorded the built assembly as the baseline, and an unchanged API passes',
  () => {
    const baseline = JSON.parse(fs.readFileSync(repo.path(`${PKG_DIR}/api-baseline/assembly.jsii`), 'utf-8'));
    const props = baseline.types['@groundwork/tiny.GreeterProps'].properties.map((p: { name: string }) => p.name);
    expect(props.sort()).toEqual(['greeting', 'name']);
    expect(gateOnUnchangedApi.stdout).toContain('OK: no breaking API change');
    expect(gateOnUnchangedApi.status).toBe(0);
  },
  GATE_TIMEOUT,
);

test(
  'removing a prop fails the gate when the commit is not marked breaking',
  () => {
    expect(SOURCE_WITHOUT_GREETING).not.toContain('greeting?');
    repo.reword(CHANGE_SUBJECT);

    const run = gate();

    expect(run.stdout).toContain(`api-compat ${PACKAGE} (${PKG_DIR})`);
    expect(run.stdout).toContain('PROP @groundwork/tiny.GreeterProps.greeting: has been removed');
    expect(run.stdout).toContain('FAIL: breaking API change without a breaking-change marker');
    // It says how to mark the change, and what the release then becomes.
    expect(run.stdout).toContain('feat(tiny)!: <what changed>');
    expect(run.stdout).toContain('BREAKING CHANGE: <what changed and how app teams migrate>');
    expect(run.stdout).toContain('then 2.0.0 (a major bump from 1.0.0)');
    expect(run.status).toBe(1);
  },
  GATE_TIMEOUT,
);

test(
  '--all checks every jsii package under packages/ and fails for the same change',
  () => {
    repo.reword(CHANGE_SUBJECT);
    const run = gate('--all', '--root', repo.root);
    expect(run.stdout).toContain(`FAILED for ${PACKAGE}`);
    expect(run.status).toBe(1);
  },
  GATE_TIMEOUT,
);

test('the same change passes when marked with "!", and projen bump makes it a major release', () => {
  repo.reword('feat(tiny)!: greet by name only');

  const run = gate();

  expect(run.stdout).toContain('PROP @groundwork/tiny.GreeterProps.greeting: has been removed');
  expect(run.stdout).toContain('Marked breaking since @groundwork/tiny@v1.0.0 by:');
  expect(run.stdout).toContain('so the next release is 2.0.0 (a major bump from 1.0.0)');
  expect(run.status).toBe(0);

  const pkgDir = repo.path(PKG_DIR);
  projenTask(pkgDir, 'bump');
  try {
    expect(JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf-8')).version).toBe('2.0.0');
    expect(fs.readFileSync(path.join(pkgDir, 'dist/releasetag.txt'), 'utf-8')).toBe(`${PACKAGE}@v2.0.0`);
    const changelog = fs.readFileSync(path.join(pkgDir, 'dist/changelog.md'), 'utf-8');
    expect(changelog).toMatch(/BREAKING CHANGES[\s\S]*greet by name only/);
  } finally {
    projenTask(pkgDir, 'unbump');
  }
}, 90_000);

test(
  'a BREAKING CHANGE footer marks it too',
  () => {
    repo.reword(
      `${CHANGE_SUBJECT}\n\nBREAKING CHANGE: GreeterProps.greeting is removed; build the message yourself.\n`,
    );
    const run = gate();
    expect(run.stdout).toContain('PASS: the breaking changes are marked');
    expect(run.status).toBe(0);
  },
  GATE_TIMEOUT,
);

test(
  'a breaking marker on a commit that does not touch the package does not count for it',
  () => {
    repo.reword(CHANGE_SUBJECT);
    repo.write('packages/other/README.md', '# other, renamed\n');
    repo.git('add', 'packages/other');
    repo.git('commit', '-q', '-m', 'feat(other)!: rename other');

    const run = gate();

    expect(run.stdout).toContain('No commit since @groundwork/tiny@v1.0.0 touching . is marked breaking');
    expect(run.status).toBe(1);
  },
  GATE_TIMEOUT,
);

test(
  "a reviewed false positive listed by its key in the package's .compatignore does not fail the gate",
  () => {
    repo.reword(CHANGE_SUBJECT);
    const ignoreFile = repo.path(`${PKG_DIR}/.compatignore`);
    fs.writeFileSync(ignoreFile, 'removed:@groundwork/tiny.GreeterProps.greeting\n');
    try {
      const run = gate();
      expect(run.stdout).toContain('OK: no breaking API change');
      expect(run.status).toBe(0);
    } finally {
      fs.rmSync(ignoreFile);
    }
  },
  GATE_TIMEOUT,
);

test(
  'a baseline jsii-diff cannot read fails the gate (exit 1) with its output, not as compatible',
  () => {
    const baselineFile = repo.path(`${PKG_DIR}/api-baseline/assembly.jsii`);
    const released = fs.readFileSync(baselineFile, 'utf-8');
    // A dependency that is not installed: jsii-diff cannot load the assembly and exits non-zero.
    const broken = { ...JSON.parse(released), dependencies: { '@groundwork/not-installed': '^1.0.0' } };
    fs.writeFileSync(baselineFile, JSON.stringify(broken));
    try {
      const run = gate();
      expect(run.stdout).toContain('FAIL: jsii-diff could not compare the assemblies (exit');
      expect(run.stdout).toContain(`api-compat: FAILED for ${PACKAGE}.`);
      expect(run.status).toBe(1);
    } finally {
      fs.writeFileSync(baselineFile, released);
    }
  },
  GATE_TIMEOUT,
);

test(
  'a package that is not built fails the gate (exit 1), naming the build to run',
  () => {
    repo.write('packages/unbuilt/package.json', JSON.stringify({ name: '@groundwork/unbuilt', jsii: {} }));
    try {
      const run = gate(repo.path('packages/unbuilt'));
      expect(run.stdout).toContain(
        'FAIL: packages/unbuilt/.jsii is missing: build first (npx nx run @groundwork/unbuilt:build).',
      );
      expect(run.stdout).toContain('api-compat: FAILED for @groundwork/unbuilt.');
      expect(run.status).toBe(1);
    } finally {
      fs.rmSync(repo.path('packages/unbuilt'), { recursive: true, force: true });
    }
  },
  GATE_TIMEOUT,
);

describe('a missing baseline', () => {
  test(
    'fails (exit 1) for a released package, naming the file and how to restore it',
    () => {
      const baselineFile = repo.path(`${PKG_DIR}/api-baseline/assembly.jsii`);
      const released = fs.readFileSync(baselineFile, 'utf-8');
      const recordedBy = repo.git(
        'log',
        '-1',
        '--format=%h',
        '--abbrev=12',
        '--',
        `${PKG_DIR}/api-baseline/assembly.jsii`,
      );
      fs.rmSync(baselineFile);
      try {
        const run = gate();
        expect(run.stdout).toContain(
          'FAIL: packages/tiny/api-baseline/assembly.jsii is missing, but @groundwork/tiny@v1.0.0 has been released',
        );
        expect(run.stdout).toContain(`git checkout ${recordedBy} -- packages/tiny/api-baseline/assembly.jsii`);
        expect(run.stdout).toContain('npx projen update-baseline');
        expect(run.stdout).toContain(`api-compat: FAILED for ${PACKAGE}.`);
        expect(run.status).toBe(1);
      } finally {
        fs.writeFileSync(baselineFile, released);
      }
    },
    GATE_TIMEOUT,
  );

  test(
    'is skipped before the first release',
    () => {
      repo.write('packages/fresh/package.json', JSON.stringify({ name: '@groundwork/fresh', jsii: {} }));
      fs.copyFileSync(repo.path(`${PKG_DIR}/.jsii`), repo.path('packages/fresh/.jsii'));
      try {
        const run = gate(repo.path('packages/fresh'));
        expect(run.stdout).toContain(
          'SKIP: no released API to compare with (packages/fresh/api-baseline/assembly.jsii is missing).',
        );
        expect(run.status).toBe(0);
      } finally {
        fs.rmSync(repo.path('packages/fresh'), { recursive: true, force: true });
      }
    },
    GATE_TIMEOUT,
  );
});
