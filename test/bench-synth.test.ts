import * as fs from 'fs';
import * as path from 'path';
import { childEnv, nodeFlagsOf, parseArgs } from '../scripts/bench/synth-scale';

/**
 * `npm run bench:synth` measures the main job as `npm run synth` runs it: CloudFormation validation on,
 * whatever the caller's environment says. `--no-validation` turns it off in every child alike (the main job
 * and the empty app), to measure what validation costs.
 */
describe('bench:synth validation setting', () => {
  test('validation is on by default and off with --no-validation', () => {
    expect(parseArgs([])).toMatchObject({ validation: true, sizes: [1, 5, 20, 80] });
    expect(parseArgs(['--no-validation', '--sizes', '1,5'])).toMatchObject({ validation: false, sizes: [1, 5] });
  });

  test("the children's CDK_VALIDATION follows the setting, not the caller's environment", () => {
    const saved = process.env.CDK_VALIDATION;
    try {
      process.env.CDK_VALIDATION = 'false';
      expect(childEnv('/out', true)).not.toHaveProperty('CDK_VALIDATION');
      delete process.env.CDK_VALIDATION;
      expect(childEnv('/out', false)).toMatchObject({ CDK_VALIDATION: 'false', CDK_OUTDIR: '/out' });
    } finally {
      if (saved === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = saved;
    }
  });
});

describe('bench:synth runs the main job with the Node.js flags npm run synth gives it', () => {
  test('the flags between node and the script, none for another command', () => {
    expect(nodeFlagsOf('node --single-threaded-gc --max-semi-space-size=4 lib/main.js --config-dir x')).toEqual([
      '--single-threaded-gc',
      '--max-semi-space-size=4',
    ]);
    expect(nodeFlagsOf('node lib/main.js --flag')).toEqual([]);
    expect(nodeFlagsOf('ts-node --transpile-only src/main.ts')).toEqual([]);
    expect(nodeFlagsOf(undefined)).toEqual([]);
    // Not guessed at: an option whose value is a separate word, a `--` separator, no script.
    expect(() => nodeFlagsOf('node -r ./preload.js lib/main.js')).toThrow(/found '-r'/);
    expect(() => nodeFlagsOf('node --stack-size=2000 -- lib/main.js')).toThrow(/found '--'/);
    expect(() => nodeFlagsOf('node --single-threaded-gc')).toThrow(/no script/);
  });

  test("the platform app's nx synth target and cdk.json run the main job with the same flags", () => {
    const appDir = path.join(__dirname, '..', 'apps', 'platform');
    const nxSynth = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf-8')).nx.targets.synth.command;
    const cdkApp = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.json'), 'utf-8')).app;
    expect(nodeFlagsOf(nxSynth)).toContain('--single-threaded-gc');
    expect(cdkApp).toBe(nxSynth);
  });
});
