import * as fs from 'fs';
import { runMain } from '../src/main';
import { invalidCases } from './config/fixtures';
import { captureMainJob } from './helpers';

/**
 * Every config in the invalid corpus, through the main job itself
 * (`npm run synth` runs `runMain`): exit code 1, the expected errors naming
 * file:line:column and the field path, no stack trace, and no cdk.out.
 */
const cases = invalidCases();

const job = captureMainJob('main-errors');

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
    expect(job.stderr()).toContain(line);
  }
  expect(job.stderr()).toContain('nothing was synthesized');
  expect(job.stderr()).not.toMatch(/^\s+at /m);
  expect(fs.existsSync(job.outdir())).toBe(false);
});
