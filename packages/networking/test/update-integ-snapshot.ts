/**
 * Rewrites the committed integ snapshot, test/integ.workload-vpc.ts.snapshot, from test/integ.workload-vpc.ts.
 *
 *   npx ts-node --transpile-only test/update-integ-snapshot.ts [--help]
 *
 * Stand-in for `integ-runner --update-on-failed --dry-run`, which cannot read this aws-cdk-lib's
 * cloud assembly (schema 55; integ-runner 2.197 reads up to 53). Same folder layout, so integ-runner
 * can take over once it supports the schema. Asset folders are left out: they are build output whose
 * content hash is already in the templates (the assertion provider bundle alone is 2 MB).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildIntegApp } from './integ.workload-vpc';

export const SNAPSHOT_DIR = path.join(__dirname, 'integ.workload-vpc.ts.snapshot');

/** Synthesizes the integ app into `outdir` as a snapshot: the cloud assembly without asset folders. */
export function synthesizeSnapshot(outdir: string): void {
  fs.rmSync(outdir, { recursive: true, force: true });
  // The assertion provider salts its custom resource with Date.now() so that a real deploy re-runs it;
  // a fixed salt keeps the snapshot stable (integ-runner deploys a fresh synth, never the snapshot).
  const now = Date.now;
  Date.now = () => 0;
  try {
    buildIntegApp({ outdir }).app.synth();
  } finally {
    Date.now = now;
  }
  for (const entry of fs.readdirSync(outdir)) {
    const file = path.join(outdir, entry);
    if (entry.startsWith('asset.')) {
      fs.rmSync(file, { recursive: true, force: true });
    } else if (entry.endsWith('.metadata.json')) {
      // Validations.acknowledge always records a stack trace with absolute paths of this checkout.
      const metadata = JSON.parse(fs.readFileSync(file, 'utf-8'), (key, value) =>
        key === 'trace' ? undefined : value,
      );
      fs.writeFileSync(file, JSON.stringify(metadata, undefined, 2) + '\n');
    }
  }
}

if (require.main === module) {
  if (process.argv.includes('--help')) {
    process.stdout.write(
      `Usage: npx ts-node --transpile-only test/update-integ-snapshot.ts\nRewrites ${SNAPSHOT_DIR}\n`,
    );
    process.exit(0);
  }
  process.env.CDK_VALIDATION = 'false';
  synthesizeSnapshot(SNAPSHOT_DIR);
  process.stdout.write(`Snapshot written to ${SNAPSHOT_DIR}\n`);
}
