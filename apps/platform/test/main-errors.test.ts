import * as fs from 'fs';
import * as path from 'path';
import { runMain } from '../src/main';
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
