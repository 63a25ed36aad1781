import { configWith } from './fixtures';
import { formatIssues, readPlatformConfig } from '../../src/config';

/*
 * Which check reports a mapping key that YAML's own (keys as typed) and the config's (keys as text,
 * yaml-file.ts) could both claim: the cases a `uniqueKeys` comparator in place of the config's walk would
 * report differently. rules.test.ts has each check on its own.
 */
function errorsFor(dir: string): string[] {
  return formatIssues(readPlatformConfig(dir).issues, dir).split('\n');
}

test("a key written as an earlier one is YAML's duplicate, even when a key equal only as text comes between", () => {
  const dir = configWith({
    'environments/prod.yaml': [['  Environment: prod', '  Environment: prod\n  "2024": a\n  2024: b\n  2024: c']],
  });

  expect(errorsFor(dir)).toEqual([
    'environments/prod.yaml:18:3: (yaml): expected each key at most once in a mapping, found a duplicate key',
  ]);
});

test('keys equal only as text are checked only in a file that is valid YAML', () => {
  const dir = configWith({
    'environments/prod.yaml': [
      ['  Environment: prod', '  Environment: prod\n  2024: a\n  "2024": b'],
      ['wave: prod', 'wave: [prod'],
    ],
  });

  expect(errorsFor(dir)).toEqual([
    'environments/prod.yaml:5:1: (yaml): expected valid YAML, found Flow sequence in block collection must be ' +
      'sufficiently indented and end with a ]',
  ]);
});
