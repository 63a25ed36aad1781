import * as fs from 'fs';
import * as path from 'path';

/** One fenced TypeScript block of a Markdown file. */
export interface DocExample {
  /** Path of the Markdown file, relative to the repository root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the opening fence in the Markdown file. */
  readonly line: number;
  /** The block's code, with the fence's indentation removed. */
  readonly code: string;
}

/** Info strings of the blocks that must compile: every ```ts block is a complete module. */
const TYPESCRIPT_INFO = new Set(['ts', 'typescript']);

/**
 * The fenced ```ts and ```typescript blocks of a Markdown document (CommonMark fences: three or more
 * backticks or tildes, possibly indented, e.g. in a list item), in document order. A fence that is never
 * closed runs to the end of the document, as CommonMark renders it.
 */
export function extractTypeScriptBlocks(markdown: string, file: string): DocExample[] {
  const lines = markdown.split(/\r?\n/);
  const examples: DocExample[] = [];
  let open: { indent: string; fence: string; info: string; line: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    if (open === undefined) {
      // The info string of a backtick fence cannot contain a backtick: "```` ```ts ````" is inline code.
      const start = /^(\s*)(?:(`{3,})([^`]*)|(~{3,})(.*))$/.exec(text);
      if (start) {
        const info = (start[3] ?? start[5]).trim().split(/\s+/)[0].toLowerCase();
        open = { indent: start[1], fence: start[2] ?? start[4], info, line: index + 1, body: [] };
      }
      return;
    }
    const trimmed = text.trim();
    if (trimmed.startsWith(open.fence[0].repeat(open.fence.length)) && /^(`+|~+)$/.test(trimmed)) {
      if (TYPESCRIPT_INFO.has(open.info)) {
        examples.push({ file, line: open.line, code: open.body.join('\n') + '\n' });
      }
      open = undefined;
      return;
    }
    // A list item's code block is indented like its fence; that indentation is not part of the code.
    open.body.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text.trimStart());
  });
  // CommonMark: a fence never closed runs to the end of the document. Its block is still checked (and
  // the prose swallowed into it then fails to compile), so a forgotten closing fence cannot hide an example.
  if (open !== undefined && TYPESCRIPT_INFO.has(open.info)) {
    examples.push({ file, line: open.line, code: open.body.join('\n') + '\n' });
  }
  return examples;
}

/**
 * The Markdown files whose TypeScript examples are checked: README.md, docs/**, and the README of every
 * package and app. Sorted, relative to `repoRoot`, with `/` separators.
 */
export function documentationFiles(repoRoot: string): string[] {
  const files: string[] = [];
  if (fs.existsSync(path.join(repoRoot, 'README.md'))) files.push('README.md');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) files.push(rel);
    }
  };
  if (fs.existsSync(path.join(repoRoot, 'docs'))) walk('docs');
  for (const group of ['packages', 'apps']) {
    const dir = path.join(repoRoot, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      if (fs.existsSync(path.join(dir, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
    }
  }
  return files.sort();
}

/** Every TypeScript example of the documentation files under `repoRoot`. */
export function collectExamples(repoRoot: string): DocExample[] {
  return documentationFiles(repoRoot).flatMap((file) =>
    extractTypeScriptBlocks(fs.readFileSync(path.join(repoRoot, file), 'utf-8'), file),
  );
}
