import * as fs from 'fs';
import * as path from 'path';

const USAGE = `Usage: npx ts-node --transpile-only scripts/bench/cpu-profile.ts FILE.cpuprofile [--top 40] [--match REGEX]

Summarizes a V8 CPU profile (from \`npm run bench:synth -- --cpu-prof DIR\` or
\`node --cpu-prof\`): self time by package, and inclusive time by function
(each function counted once per sample, so recursion is not double counted).
--match keeps only functions whose "name file" matches REGEX.`;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** The package or area a script belongs to: node_modules/<pkg>, a workspace project's lib, or node itself. */
export function areaOf(url: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (modules) {
    // Split aws-cdk-lib by module (core, aws-ec2, ...): that is where the time question is.
    if (modules[1] === 'aws-cdk-lib') return `aws-cdk-lib/${modules[2].split('/')[0]}`;
    return modules[1];
  }
  const workspace = /\/((?:apps|packages)\/[^/]+)\//.exec(url);
  return workspace ? workspace[1] : url;
}

export function summarize(profile: CpuProfile, top: number, match?: RegExp): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id)!;
    const area =
      node.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : areaOf(node.callFrame.url);
    self.set(area, (self.get(area) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
      }
    }
  });
  const table = (title: string, entries: Array<[string, number]>) =>
    [
      `${title}`,
      ...entries
        .slice(0, top)
        .map(
          ([k, ms]) => `${(ms / 1000).toFixed(2).padStart(8)} s ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${k}`,
        ),
    ].join('\n');
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const inclusiveRows = sorted(inclusive).filter(([k]) => !match || match.test(k));
  return [
    `total sampled: ${(total / 1000).toFixed(2)} s`,
    table('\nself time by area:', sorted(self)),
    table('\ninclusive time by function:', inclusiveRows),
  ].join('\n');
}

function main(argv: string[]): number {
  const file = argv[0]?.startsWith('-') ? undefined : argv[0];
  if (!file || argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return file ? 0 : 2;
  }
  const topAt = argv.indexOf('--top');
  const matchAt = argv.indexOf('--match');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 40;
  const match = matchAt >= 0 ? new RegExp(argv[matchAt + 1]) : undefined;
  const profile = JSON.parse(fs.readFileSync(file, 'utf-8')) as CpuProfile;
  process.stdout.write(`${summarize(profile, top, match)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
