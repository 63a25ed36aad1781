import { configWith } from './fixtures';
import { formatIssues, readPlatformConfig } from '../../src/config';

/*
 * Duplicate keys are found by the config's own check (keys as text, yaml-file.ts), which names the field
 * and where the key was first written; YAML's own check (keys as typed) is off, as it names neither.
 * rules.test.ts has each check on its own.
 */
function errorsFor(dir: string): string[] {
  return formatIssues(readPlatformConfig(dir).issues, dir).split('\n');
}

test('every repeat of a key is reported at its field path, against the first occurrence, whether written alike or only equal as text', () => {
  const dir = configWith({
    'environments/prod.yaml': [['  Environment: prod', '  Environment: prod\n  "2024": a\n  2024: b\n  2024: c']],
  });

  const expected =
    'expected each key at most once in a mapping (keys are compared as text), found 2024, the same key as "2024" at line 16, column 3';
  expect(errorsFor(dir)).toEqual([
    `environments/prod.yaml:17:3: tags["2024"]: ${expected}`,
    `environments/prod.yaml:18:3: tags["2024"]: ${expected}`,
  ]);
});

test('a key written twice alike names the field and the first occurrence', () => {
  const dir = configWith({ 'environments/prod.yaml': [['wave: prod', 'wave: prod\nwave: prod']] });

  expect(errorsFor(dir)).toEqual([
    'environments/prod.yaml:5:1: wave: expected each key at most once in a mapping (keys are compared as text), found wave, the same key as wave at line 4, column 1',
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
