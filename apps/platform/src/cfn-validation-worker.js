// The worker thread of ParallelTemplateValidation (template-validation.ts): it runs
// aws-cdk-lib's own CloudFormation validation engine (@aws/cloudformation-validate, the copy
// aws-cdk-lib depends on) off the main thread, so that the engine starts while the app is
// composed and validates templates while the compliance packs run (docs/performance.md).
//
// Plain JavaScript, loaded by path from both src/ (tests) and lib/ (the main job): a worker
// cannot load TypeScript, and this file has no types worth checking beyond its messages.
//
// Messages in (on the port): { kind: 'validate', jobs: [{ id, templatePath, content, options }] }, where
// options are the options aws-cdk-lib's plugin passes for that template (found by the main thread).
// Messages out: { kind: 'ready', version }, { kind: 'result', id, diagnostics, ms } or
// { kind: 'error', id?, message }. After each message out, it adds one to the shared counter and
// notifies it: the main thread waits on that counter (Atomics.wait), since a validation plugin
// must answer synchronously.
'use strict';
const fs = require('fs');
const path = require('path');
const { workerData } = require('worker_threads');

const { port, signal, modulePath, rulesDirectory, compact } = workerData;

// How V8 compiles the engine (WebAssembly), chosen before the engine's first object compiles its module. By
// default, V8 compiles each function with its baseline compiler (Liftoff) and recompiles the busiest ones with
// its optimizing compiler (TurboFan) in background threads. Compact keeps the baseline code only: measured on
// this project's templates (docs/performance.md), the engine then needs about 150 MB less and small templates
// validate faster (nothing to recompile), while a pipeline template of 80 environments takes about twice as
// long. V8's flags are the process's: each worker sets both, so that it is not left with another worker's. They
// must be set before the module is compiled: this is the first thing the worker does.
//
// V8 also shares a compiled module between the threads of a process (its native module cache), whatever flags
// it was compiled with. An optimizing worker compiles its own: it would otherwise get the compact code of the
// main job's prestarted worker, which a large config replaces, if that one or the main thread still holds it.
// A compact worker shares its module: the main thread loads the same module (aws-cdk-lib's plugin code does) and
// then compiles nothing (0.3 s and about 10 MB less, docs/performance.md). So a compact worker started while an
// optimizing one is alive could run optimized code: the main job never does that.
const v8 = require('v8');
for (const flag of ['wasm-dynamic-tiering', 'wasm-tier-up']) v8.setFlagsFromString(`--${compact ? 'no-' : ''}${flag}`);
const OWN_MODULE = !compact;
if (OWN_MODULE) v8.setFlagsFromString('--no-wasm-native-module-cache-enabled');

// The main thread blocks in Atomics.wait while it waits for results, so the 'exit' event of a worker that ran
// out of memory or was killed cannot reach it: it checks for this thread in /proc instead, by the id written
// here (Linux; elsewhere the slot stays 0 and only the timeout applies).
try {
  if (signal.length > 1) Atomics.store(signal, 1, Number(path.basename(fs.readlinkSync('/proc/thread-self'))) || 0);
} catch {
  // No /proc: the timeout alone bounds the wait.
}

function send(message) {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

// Loaded at start (below), where a failure is reported instead of ending the thread silently.
let engineModule;
/** The rule index shipped with aws-cdk-lib: which Rego rule applies to which resource types. */
let ruleIndex;

/** The built-in Rego rules for a set of resource types: rules without types always apply. */
function rulesFor(types) {
  return ruleIndex.filter((rule) => rule.types === null || rule.types.some((type) => types.has(type)));
}

let engine;
let engineRules = new Set();

/** An engine whose rules cover `types`, built again (expensive: seconds) only when a new rule is needed. */
function engineFor(types) {
  const needed = rulesFor(types).map((rule) => rule.file);
  if (engine && needed.every((file) => engineRules.has(file))) return engine;
  const files = [...new Set([...engineRules, ...needed])].sort((a, b) => a.localeCompare(b));
  const regoRules = files.map((file) => ({
    name: file,
    content: fs.readFileSync(path.join(rulesDirectory, file), 'utf-8'),
  }));
  if (engine) engine.free();
  engine = new engineModule.CompositeEngine(regoRules.length > 0 ? { regoRules } : {});
  engineRules = new Set(files);
  return engine;
}

/** The resource types of a parsed template, as aws-cdk-lib's plugin finds them (a template that does not parse has none). */
function resourceTypes(template) {
  const types = new Set();
  const resources = template && typeof template === 'object' ? template.Resources : undefined;
  for (const resource of Object.values(resources && typeof resources === 'object' ? resources : {})) {
    if (resource && typeof resource === 'object' && typeof resource.Type === 'string') types.add(resource.Type);
  }
  return types;
}

function parsed(content) {
  try {
    return JSON.parse(content);
  } catch {
    return undefined; // The engine reports the parse error.
  }
}

/**
 * The template as CDK writes it (JSON.stringify without indentation: one line) but with a line per value. The
 * engine takes much longer on one long line than on many short ones (a pipeline template of 80 environments:
 * 16 s against 10 s, docs/performance.md), and aws-cdk-lib's report takes nothing from the diagnostics' own line
 * and column fields. Only a template that JSON.stringify gives back unchanged is re-indented: anything else
 * (duplicate keys, other spacing, no JSON at all) goes to the engine as it was written. A message can still quote
 * a position: the engine's parse errors (F1101, e.g. a lone surrogate escape that JSON.parse accepts) say "at
 * line L column C", so a template with one is validated again as written (validate below).
 */
function reindented(content, template) {
  return template !== undefined && JSON.stringify(template) === content
    ? JSON.stringify(template, undefined, 1)
    : content;
}

/** The engine's parse errors: their messages quote a line and column of the text it was given. */
const PARSE_ERROR = 'F1101';

function validate(job) {
  const template = parsed(job.content);
  const engine = engineFor(resourceTypes(template));
  const run = (content) =>
    engine.validateTemplate(new engineModule.TemplateContent(content, job.templatePath), job.options).diagnostics;
  const content = reindented(job.content, template);
  const diagnostics = run(content);
  if (content === job.content || !diagnostics.some((d) => d.ruleId === PARSE_ERROR)) return diagnostics;
  return run(job.content);
}

try {
  engineModule = require(modulePath);
  ruleIndex = JSON.parse(fs.readFileSync(path.join(rulesDirectory, 'index.generated.json'), 'utf-8')).rules;
  // Start the engine now, with the rules that apply to any template, while the app is still composed.
  engineFor(new Set());
  send({ kind: 'ready', version: engineModule.version() });
} catch (error) {
  send({ kind: 'error', message: `could not start the CloudFormation validation engine: ${error && error.message}` });
} finally {
  // Compiled (or failed): other threads may share modules again.
  if (OWN_MODULE) v8.setFlagsFromString('--wasm-native-module-cache-enabled');
}

// Jobs not yet validated. One job per turn of the event loop, so that jobs sent meanwhile are seen, and
// the largest template first: a large template (the pipeline's) takes the longest and comes last.
const queue = [];
let scheduled = false;

function runNext() {
  scheduled = false;
  if (queue.length === 0) return;
  let largest = 0;
  for (let i = 1; i < queue.length; i++) if (queue[i].content.length > queue[largest].content.length) largest = i;
  const [job] = queue.splice(largest, 1);
  try {
    const start = performance.now();
    const diagnostics = validate(job);
    send({ kind: 'result', id: job.id, diagnostics, ms: performance.now() - start });
  } catch (error) {
    send({ kind: 'error', id: job.id, message: `${job.templatePath}: ${error && error.message}` });
  }
  schedule();
}

function schedule() {
  if (!scheduled && queue.length > 0) {
    scheduled = true;
    setImmediate(runNext);
  }
}

port.on('message', (message) => {
  if (message.kind !== 'validate') return;
  queue.push(...message.jobs);
  schedule();
});
