import { childEnv, parseArgs } from '../scripts/bench/synth-scale';

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
