import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Test fixtures: a minimal valid config and the corpus of invalid ones. */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'config');
export const VALID_FIXTURE = path.join(FIXTURES, 'valid');
export const INVALID_FIXTURES = path.join(FIXTURES, 'invalid');
export const EXAMPLE_CONFIG = path.join(__dirname, '..', '..', 'config');

/** One invalid case: its folder, the config dir to validate, and the expected error lines. */
export interface InvalidCase {
  readonly name: string;
  readonly caseDir: string;
  readonly configDir: string;
  readonly expected: string[];
}

export function invalidCases(): InvalidCase[] {
  return fs
    .readdirSync(INVALID_FIXTURES)
    .sort()
    .map((name) => {
      const caseDir = path.join(INVALID_FIXTURES, name);
      const metaFile = path.join(caseDir, 'case.json');
      const meta = fs.existsSync(metaFile)
        ? (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { configDir?: string })
        : {};
      const expected = fs
        .readFileSync(path.join(caseDir, 'expected.txt'), 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      return { name, caseDir, configDir: path.join(caseDir, meta.configDir ?? '.'), expected };
    });
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Copies the valid fixture into a temp dir and applies edits: each edit replaces
 * text in a file (relative path) and must match, so a stale edit fails loudly.
 */
export function configWith(edits: { [file: string]: [string, string][] } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-config-'));
  tempDirs.push(dir);
  fs.cpSync(VALID_FIXTURE, dir, { recursive: true });
  for (const [file, replacements] of Object.entries(edits)) {
    const target = path.join(dir, file);
    let text = fs.readFileSync(target, 'utf8');
    for (const [from, to] of replacements) {
      if (!text.includes(from)) throw new Error(`fixture edit: "${from}" not found in ${file}`);
      text = text.replace(from, to);
    }
    fs.writeFileSync(target, text);
  }
  return dir;
}

/** Matches one formatted issue line: file:line:column: path: expected ..., found ... */
export const ISSUE_LINE = /^[^:\s][^:]*:\d+:\d+: \S+: expected .+, found .+$/;
