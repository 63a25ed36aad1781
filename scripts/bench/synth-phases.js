// Where the main job's time and memory go, phase by phase: `npm run bench:synth -- --phases`
// runs this beside each measured synth (never in the same process, so it does not disturb
// the numbers of the table). It does what apps/platform/src/main.ts runMain does, with the
// compiled modules, and prints one JSON line: per phase the milliseconds and the memory after it,
// then aws-cdk-lib's own performance counters of the synth.
//
// Plain JavaScript for the same reason as empty-app.js: no TypeScript compiler in the process.
//
// Usage: node synth-phases.js PLATFORM_APP_DIR CONFIG_DIR OUTDIR [--old-report]
'use strict';
const path = require('path');

const [appDir, configDir, outdir] = process.argv.slice(2);
// As main.js does when it is the entry point: the validation worker starts (compact) before the other modules load.
require(path.join(appDir, 'lib', 'validation-worker.js')).prestartValidationWorker({ compact: true });
const phases = [];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let mark = performance.now();
let cpuMark = cpuMs();
function phase(name) {
  const now = performance.now();
  const cpu = cpuMs();
  const m = process.memoryUsage();
  const mb = (n) => Math.round(n / 1024 / 1024);
  phases.push({
    name,
    ms: Math.round(now - mark),
    // CPU time (user + system, all threads of the process): less disturbed than wall time on a shared machine.
    cpuMs: Math.round(cpu - cpuMark),
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  });
  mark = performance.now();
  cpuMark = cpuMs();
}

const lib = (file) => require(path.join(appDir, 'lib', file));
const load = (id) => require(require.resolve(id, { paths: [appDir] }));
const cdk = load('aws-cdk-lib');
const { createApp, synthesizePlatform } = lib('main.js');
const { loadPlatformConfig } = lib('config/index.js');
const { writeComplianceReport } = lib('compliance.js');
const { ParallelTemplateValidation } = lib('template-validation.js');
const { renderTable, summarize } = lib('summary.js');
phase('load modules');

// aws-cdk-lib resets its counters at the end of synth: keep a copy first.
// A private module (not in aws-cdk-lib's exports map): required by its file path.
const perf = require(
  path.join(path.dirname(require.resolve('aws-cdk-lib', { paths: [appDir] })), 'core', 'lib', 'private', 'perf.js'),
);
let counters = {};
const reset = perf.resetCounters;
perf.resetCounters = () => {
  counters = perf.readPerfCounters({});
  reset();
};

// Wall time spent inside each validation plugin, by plugin name (not CPU time: the process's CPU time
// includes the validation worker's, which runs at the same time).
const pluginMs = {};
function timePlugin(target, nameOf) {
  const validate = target.validate;
  target.validate = function (context) {
    const start = performance.now();
    try {
      return validate.call(this, context);
    } finally {
      const name = nameOf(this);
      pluginMs[name] = (pluginMs[name] ?? 0) + Math.round(performance.now() - start);
    }
  };
}
// The main job validates templates in a worker thread (template-validation.ts): on the main thread this
// is only what its validate() spends, mostly waiting for the worker if it is not done yet.
timePlugin(ParallelTemplateValidation.prototype, () => 'CloudFormation Validate (main thread)');
// Each compliance pack (created inside synthesizePlatform), by name.
timePlugin(load('cdk-nag').NagPack.prototype, (pack) => pack.readPackName);

const config = loadPlatformConfig(configDir);
phase('load and validate config');
const app = createApp(outdir);
const { platform, assembly, packs, validation, compliance } = synthesizePlatform(app, config, {
  onComposed: () => phase('compose (construct tree)'),
});
phase('app.synth (aspects, templates, validation plugins)');
// Collected during synthesis while the validation worker finished, when it did (main.ts): then only written here.
const report = writeComplianceReport(app, packs, assembly.directory, compliance);
phase(compliance ? 'compliance report (written; collected during synth)' : 'compliance report');
renderTable(summarize(platform, assembly, report.counts));
phase('summary');
// With `node --expose-gc`: how much of the heap is still referenced, not just not yet collected.
if (global.gc) {
  global.gc();
  phase('full GC (--expose-gc)');
}

// For comparison (node synth-phases.js ... --old-report): the report as it was made before the
// replay in compliance.ts, one ComplianceReport.collect over the whole app that runs every rule again.
if (process.argv.includes('--old-report')) {
  const { ComplianceReport } = load('@groundwork/compliance');
  ComplianceReport.collect(app, packs);
  phase('compliance report, old way (rules run again, one collect over the app)');
}

const top = Object.fromEntries(
  Object.entries(counters)
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, 15)
    .map(([k, v]) => [k, Math.round(v.total)]),
);
process.stdout.write(`${JSON.stringify({ phases, pluginMs, validation, counters: top })}\n`);
