import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpOutdir } from './helpers';
import { writeStaged } from '../src/main';

/**
 * The main job writes its cloud assembly into a directory inside the output directory and moves it
 * into place only when the synth succeeded, so a failed synth never leaves an assembly that is part
 * old, part new.
 */

/** Every file under `dir` with its content, by relative path. */
function contents(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, entry);
    if (fs.statSync(full).isFile()) files[entry.split(path.sep).join('/')] = fs.readFileSync(full, 'utf-8');
  }
  return files;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

const EARLIER = {
  'manifest.json': 'earlier manifest',
  'assembly-dev/manifest.json': 'earlier dev manifest',
  'assembly-dev/stale.template.json': 'a stack the config no longer has',
  'bootstrap/tooling.template.json': 'written by npm run bootstrap-template',
};
const NEW = {
  'manifest.json': 'new manifest',
  'assembly-dev/manifest.json': 'new dev manifest',
  'asset.0123/index.js': 'new asset',
};

let outdir: string;
beforeEach(() => {
  outdir = path.join(tmpOutdir('write-staged'), 'cdk.out');
});

test('success: every entry written replaces the one of the same name whole; entries not written stay', () => {
  write(outdir, EARLIER);
  let staging = '';
  const result = writeStaged(outdir, (dir) => {
    staging = dir;
    expect(path.dirname(dir)).toBe(outdir);
    expect(fs.readdirSync(dir)).toEqual([]);
    write(dir, NEW);
    return 42;
  });
  expect(result).toBe(42);
  expect(contents(outdir)).toEqual({
    ...NEW,
    // assembly-dev/ was replaced, not merged: the stale template is gone.
    'bootstrap/tooling.template.json': 'written by npm run bootstrap-template',
  });
  expect(fs.existsSync(staging)).toBe(false);
});

test('failure: the earlier assembly is left exactly as it was, and the error is passed through', () => {
  write(outdir, EARLIER);
  const error = new Error('a construct error after dev was synthesized');
  expect(() =>
    writeStaged(outdir, (dir) => {
      write(dir, NEW);
      throw error;
    }),
  ).toThrow(error);
  expect(contents(outdir)).toEqual(EARLIER);
  expect(fs.readdirSync(outdir).sort()).toEqual(['assembly-dev', 'bootstrap', 'manifest.json']);
});

test('failure: only the entries keepOnError names are moved in (a failed gate keeps its report)', () => {
  write(outdir, { ...EARLIER, 'validation-report.json': 'an earlier report' });
  const gate = new Error('compliance findings');
  expect(() =>
    writeStaged(
      outdir,
      (dir) => {
        write(dir, { ...NEW, 'validation-report.json': "this run's findings" });
        throw gate;
      },
      (e) => (e === gate ? ['validation-report.json', 'not-written.json'] : []),
    ),
  ).toThrow(gate);
  expect(contents(outdir)).toEqual({ ...EARLIER, 'validation-report.json': "this run's findings" });
});

test('failure into a directory that did not exist: the directory is removed again', () => {
  expect(() =>
    writeStaged(outdir, (dir) => {
      write(dir, NEW);
      throw new Error('stopped');
    }),
  ).toThrow('stopped');
  expect(fs.existsSync(outdir)).toBe(false);
});

test('failure into a directory whose parents did not exist: the parents made for it are removed too', () => {
  const parent = path.dirname(outdir);
  const deep = path.join(parent, 'a', 'b', 'cdk.out');
  expect(() =>
    writeStaged(deep, (dir) => {
      write(dir, NEW);
      throw new Error('stopped');
    }),
  ).toThrow('stopped');
  expect(fs.existsSync(path.join(parent, 'a'))).toBe(false);
  expect(fs.existsSync(parent)).toBe(true);
});

test('an output path that is not normalized (CDK_OUTDIR is taken as given): what was made is removed', () => {
  const parent = path.dirname(outdir);
  fs.mkdirSync(path.join(parent, 'b'));
  expect(() =>
    writeStaged(path.join(parent, 'a', '..', 'b', 'x'), (dir) => {
      write(dir, NEW);
      throw new Error('stopped');
    }),
  ).toThrow('stopped');
  expect(fs.readdirSync(parent).sort()).toEqual(['b']);
  expect(fs.readdirSync(path.join(parent, 'b'))).toEqual([]);
});

test('failure with a kept report in a new directory: the directory and its parents stay', () => {
  const deep = path.join(path.dirname(outdir), 'a', 'cdk.out');
  expect(() =>
    writeStaged(
      deep,
      (dir) => {
        write(dir, { 'validation-report.json': 'findings' });
        throw new Error('gate');
      },
      () => ['validation-report.json'],
    ),
  ).toThrow('gate');
  expect(fs.readdirSync(deep)).toEqual(['validation-report.json']);
});

test("failure into an empty directory that existed before: the directory stays (it is not the run's to remove)", () => {
  // E.g. `--outdir` pointed at a directory made for it, or a mount point.
  fs.mkdirSync(outdir);
  expect(() =>
    writeStaged(outdir, (dir) => {
      write(dir, NEW);
      throw new Error('stopped');
    }),
  ).toThrow('stopped');
  expect(fs.existsSync(outdir)).toBe(true);
  expect(fs.readdirSync(outdir)).toEqual([]);
});

test("a killed run's partial directory is removed; a running one's is left alone", () => {
  // A process that has exited: its pid is free (reuse within this test is not a concern).
  const exited = spawnSync(process.execPath, ['-e', '0']).pid!;
  write(outdir, {
    [`.partial-synth-${exited}/manifest.json`]: 'half written',
    [`.partial-synth-${process.ppid}/manifest.json`]: 'still being written',
    '.partial-synth-junk/x': 'not a pid',
  });
  writeStaged(outdir, (dir) => write(dir, NEW));
  expect(fs.readdirSync(outdir).filter((e) => e.startsWith('.partial-synth-'))).toEqual([
    `.partial-synth-${process.ppid}`,
  ]);
});
