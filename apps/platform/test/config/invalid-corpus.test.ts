import { invalidCases, ISSUE_LINE } from './fixtures';
import { ConfigError, formatIssues, loadPlatformConfig, readPlatformConfig } from '../../src/config';

// Each folder under test/fixtures/config/invalid/ is a whole config directory
// with one mistake (or a few, in the several-* cases) and expected.txt, the exact
// error lines, with paths relative to the case folder.
const cases = invalidCases();

test('the corpus holds at least 30 invalid configs, including some with several mistakes', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
  expect(cases.filter((c) => c.expected.length > 1).length).toBeGreaterThanOrEqual(3);
});

describe.each(cases.map((c) => [c.name, c] as const))('invalid config %s', (_name, invalid) => {
  test('reports exactly the expected errors, each with file:line:column, field path, expected and found', () => {
    const result = readPlatformConfig(invalid.configDir);

    expect(result.config).toBeUndefined();
    const lines = formatIssues(result.issues, invalid.caseDir).split('\n');
    expect(lines).toEqual(invalid.expected);
    for (const line of lines) expect(line).toMatch(ISSUE_LINE);
  });

  test('loadPlatformConfig throws a ConfigError carrying every issue', () => {
    expect.assertions(2);
    try {
      loadPlatformConfig(invalid.configDir);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toHaveLength(invalid.expected.length);
    }
  });
});
