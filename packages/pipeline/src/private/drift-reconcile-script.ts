/*
 * The program the DriftReconciler's CodeBuild project runs (Node.js 20, CommonJS). It is kept here as text and
 * written into the project's inline buildspec (gzip, then base64, so no shell or YAML quoting can change it
 * and the buildspec stays under CodeBuild's 25,600 characters; see encodeProgram below), with the allow-list
 * of environments and stacks baked in at synthesis. test/drift-reconciler.test.ts decodes it from the
 * synthesized buildspec and runs it against a fake CloudFormation client.
 *
 * Why a drift-aware change set: redeploying an unchanged template does not revert drift (a traditional change
 * set compares the new template with the previous one, and they are equal). CreateChangeSet with
 * `DeploymentMode: REVERT_DRIFT` compares the template with the live state of the resources and brings the
 * drifted ones back in line with it. `UsePreviousTemplate: true`: the template the pipeline last deployed,
 * nothing new from Git.
 *
 * The request comes from an environment account (its drift detector starts the build through the reconcile
 * role), so the program trusts nothing in it but names it can check against the allow-list: an environment or
 * stack outside it is refused before any AWS call.
 *
 * Constraints on the text below (it sits in a String.raw template literal): no backquote and no dollar sign
 * followed by a brace. Backslashes are kept as written.
 */

/**
 * The version of `@aws-sdk/client-cloudformation` (and `@aws-sdk/client-sts`, released together) the build
 * installs. Checked on 2026-11-29 with `npm view @aws-sdk/client-cloudformation version` (3.1169.0, the
 * latest then, published 2026-11-13) and by installing it: its `dist-types/models/enums.d.ts` declares
 * `DeploymentMode = { REVERT_DRIFT: "REVERT_DRIFT" }`, and `CreateChangeSetInput` has `DeploymentMode?`
 * (models_0.d.ts). An older client would drop the member it does not know, and the change set would be a
 * plain one that reverts nothing: raise the pin, never lower it below a version with DeploymentMode.
 */
export const CLOUDFORMATION_SDK_VERSION = '3.1169.0';

/** The build's environment variable that names the environment to reconcile. */
export const ENVIRONMENT_VARIABLE = 'GROUNDWORK_RECONCILE_ENVIRONMENT';
/** The build's environment variable that names the drifted stacks, comma-separated. */
export const STACKS_VARIABLE = 'GROUNDWORK_RECONCILE_STACKS';

/** One entry of the allow-list baked into the program. */
export interface ReconcileTarget {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stackNames: string[];
}

const BODY = String.raw`
const ENVIRONMENT_VARIABLE = 'GROUNDWORK_RECONCILE_ENVIRONMENT';
const STACKS_VARIABLE = 'GROUNDWORK_RECONCILE_STACKS';
// What the CDK CLI passes to CloudFormation for every deployment.
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
// How CloudFormation says that a change set would change nothing (the prefixes the CDK CLI checks).
const NO_CHANGES = ["The submitted information didn't contain changes.", 'No updates are to be performed.'];
// Stack states an UPDATE change set can start from.
const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'];
const POLL_SECONDS = 10;
// 10 seconds each: 2 hours, beyond the build's own timeout.
const MAX_POLLS = 720;

class Refused extends Error {}

/** The environment and stacks the build may reconcile, from its environment variables; throws Refused. */
function parseRequest(env, allowList) {
  const name = String(env[ENVIRONMENT_VARIABLE] || '').trim();
  const allowed = allowList.map((e) => e.name);
  const target = allowList.find((e) => e.name === name);
  if (!target) {
    throw new Refused('refused: environment "' + name + '" is not one this reconciler may change (allowed: ' + allowed.join(', ') + ')');
  }
  const stacks = [];
  for (const part of String(env[STACKS_VARIABLE] || '').split(',')) {
    const stack = part.trim();
    if (stack !== '' && !stacks.includes(stack)) stacks.push(stack);
  }
  if (stacks.length === 0) {
    throw new Refused('refused: ' + STACKS_VARIABLE + ' names no stack of ' + name);
  }
  const outside = stacks.filter((s) => !target.stackNames.includes(s));
  if (outside.length > 0) {
    throw new Refused('refused: ' + outside.join(', ') + ' not among the stacks of ' + name + ' this reconciler may change (' + target.stackNames.join(', ') + '); nothing was changed');
  }
  return { environment: target, stacks };
}

/** The partition of the build's ARN (CODEBUILD_BUILD_ARN), for the role ARNs. */
function partitionOf(buildArn) {
  const match = /^arn:(aws[a-z-]*):codebuild:/.exec(String(buildArn || ''));
  if (!match) throw new Error('CODEBUILD_BUILD_ARN is not a CodeBuild build ARN: "' + buildArn + '"');
  return match[1];
}

/** The CDK bootstrap roles of the environment (BootstrapContract in @groundwork/cross-account-roles). */
function bootstrapRoleArns(partition, qualifier, account, region) {
  const arn = (kind) => 'arn:' + partition + ':iam::' + account + ':role/cdk-' + qualifier + '-' + kind + '-' + account + '-' + region;
  return { deploy: arn('deploy-role'), execution: arn('cfn-exec-role') };
}

async function describeStack(cfn, stackName) {
  const result = await cfn.describeStacks({ StackName: stackName });
  const stack = (result.Stacks || [])[0];
  if (!stack) throw new Error(stackName + ': not found');
  return stack;
}

/** What failed since the execution started, from the stack's newest events. */
async function failureReasons(cfn, stackName, since) {
  try {
    const events = (await cfn.describeStackEvents({ StackName: stackName })).StackEvents || [];
    return events
      .filter((e) => /FAILED$/.test(e.ResourceStatus || '') && (!e.Timestamp || new Date(e.Timestamp).getTime() >= since))
      .slice(0, 10)
      .map((e) => e.LogicalResourceId + ' ' + e.ResourceStatus + ': ' + (e.ResourceStatusReason || 'no reason given'));
  } catch (error) {
    return ['(could not read the stack events: ' + error.message + ')'];
  }
}

/**
 * Reverts the drift of one stack: a drift-aware change set on the deployed template and parameters, executed
 * when it changes something. Returns 'in sync' or 'reverted'; throws otherwise.
 */
async function reconcileStack(cfn, stackName, executionRoleArn, io) {
  const stack = await describeStack(cfn, stackName);
  if (!UPDATABLE.includes(stack.StackStatus)) {
    throw new Error(stackName + ': status ' + stack.StackStatus + ', from which no change set can update it (a deployment may be running; the next drift check tries again)');
  }
  const changeSetName = 'groundwork-revert-drift-' + io.now();
  const created = await cfn.createChangeSet({
    StackName: stackName,
    ChangeSetName: changeSetName,
    ChangeSetType: 'UPDATE',
    DeploymentMode: 'REVERT_DRIFT',
    UsePreviousTemplate: true,
    Parameters: (stack.Parameters || []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
    Capabilities: CAPABILITIES,
    RoleARN: executionRoleArn,
    Description: 'Groundwork drift reconcile: revert drift to the deployed template',
  });
  const changeSet = created.Id || changeSetName;
  let description;
  for (let poll = 0; ; poll++) {
    description = await cfn.describeChangeSet({ StackName: stackName, ChangeSetName: changeSet });
    if (description.Status !== 'CREATE_PENDING' && description.Status !== 'CREATE_IN_PROGRESS') break;
    if (poll >= MAX_POLLS) throw new Error(stackName + ': change set ' + changeSet + ' still ' + description.Status + ' after ' + MAX_POLLS + ' polls');
    await io.sleep(POLL_SECONDS);
  }
  const reason = description.StatusReason || 'no reason given';
  if (description.Status === 'FAILED' && NO_CHANGES.some((prefix) => reason.startsWith(prefix))) {
    try {
      await cfn.deleteChangeSet({ StackName: stackName, ChangeSetName: changeSet });
    } catch (error) {
      io.log(stackName + ': could not delete the empty change set ' + changeSet + ': ' + error.message);
    }
    return 'in sync';
  }
  if (description.Status !== 'CREATE_COMPLETE' || description.ExecutionStatus !== 'AVAILABLE') {
    throw new Error(stackName + ': change set ' + changeSet + ' is ' + description.Status + '/' + description.ExecutionStatus + ': ' + reason);
  }
  for (const change of description.Changes || []) {
    const rc = change.ResourceChange || {};
    io.log(stackName + ': ' + rc.Action + ' ' + rc.LogicalResourceId + ' (' + rc.ResourceType + ')' + (rc.Replacement === 'True' ? ', replacement' : ''));
  }
  const started = io.now();
  await cfn.executeChangeSet({ StackName: stackName, ChangeSetName: changeSet });
  let after;
  for (let poll = 0; ; poll++) {
    await io.sleep(POLL_SECONDS);
    after = await describeStack(cfn, stackName);
    if (!/_IN_PROGRESS$/.test(after.StackStatus)) break;
    if (poll >= MAX_POLLS) throw new Error(stackName + ': still ' + after.StackStatus + ' after ' + MAX_POLLS + ' polls');
  }
  if (after.StackStatus !== 'UPDATE_COMPLETE') {
    const reasons = await failureReasons(cfn, stackName, started);
    throw new Error(stackName + ': the revert ended in ' + after.StackStatus + (after.StackStatusReason ? ' (' + after.StackStatusReason + ')' : '') + (reasons.length > 0 ? '\n  ' + reasons.join('\n  ') : ''));
  }
  return 'reverted';
}

/**
 * The whole build: refuse what is not allowed, then revert each requested stack through the environment's
 * deploy role, and fail (throw) if any stack could not be reverted.
 */
async function run(io) {
  const request = parseRequest(io.env, io.allowList);
  const target = request.environment;
  const roles = bootstrapRoleArns(partitionOf(io.env.CODEBUILD_BUILD_ARN), io.qualifier, target.account, target.region);
  io.log('reverting drift in ' + target.name + ' (' + target.account + '/' + target.region + '): ' + request.stacks.join(', '));
  const cfn = io.cloudFormation({
    region: target.region,
    roleArn: roles.deploy,
    sessionName: ('groundwork-reconcile-' + target.name).slice(0, 64),
  });
  const failures = [];
  for (const stack of request.stacks) {
    try {
      io.log(stack + ': ' + (await reconcileStack(cfn, stack, roles.execution, io)));
    } catch (error) {
      io.log('FAILED ' + error.message);
      failures.push(error.message);
    }
  }
  if (failures.length > 0) {
    throw new Error('drift in ' + target.name + ' not reverted for ' + failures.length + ' of ' + request.stacks.length + ' stacks:\n' + failures.join('\n'));
  }
}

/** Credentials of the deploy role, assumed again 5 minutes before they expire (its sessions last 1 hour). */
function assumedRole(sts, roleArn, sessionName, now) {
  let cached;
  return async () => {
    if (!cached || new Date(cached.expiration).getTime() - now() < 5 * 60 * 1000) {
      const { Credentials: c } = await sts.assumeRole({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 });
      cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    }
    return cached;
  };
}

module.exports = { ALLOW_LIST, QUALIFIER, Refused, parseRequest, partitionOf, bootstrapRoleArns, reconcileStack, run, assumedRole };

if (require.main === module) {
  const { CloudFormation } = require('@aws-sdk/client-cloudformation');
  const { STS } = require('@aws-sdk/client-sts');
  const sts = new STS({});
  const now = () => Date.now();
  run({
    env: process.env,
    allowList: ALLOW_LIST,
    qualifier: QUALIFIER,
    cloudFormation: (o) => new CloudFormation({ region: o.region, credentials: assumedRole(sts, o.roleArn, o.sessionName, now) }),
    sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    now,
    log: (line) => console.log(line),
  }).then(
    () => console.log('drift reconcile done'),
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
`;

/** The program, with the allow-list and the bootstrap qualifier baked in. */
export function reconcileScript(allowList: ReconcileTarget[], qualifier: string): string {
  const list = allowList.map((t) => ({ name: t.name, account: t.account, region: t.region, stackNames: t.stackNames }));
  return [
    "'use strict';",
    '// Groundwork drift reconcile (@groundwork/pipeline DriftReconciler, src/private/drift-reconcile-script.ts).',
    `const ALLOW_LIST = ${JSON.stringify(list)};`,
    `const QUALIFIER = ${JSON.stringify(qualifier)};`,
    BODY,
  ].join('\n');
}

/*
 * Packing the program into the buildspec.
 *
 * CodeBuild refuses an inline buildspec over 25,600 characters, and the program carries one allow-list entry
 * per reconciling environment: base64 of the plain text passes the limit at about 55 environments. The build
 * therefore writes it with `base64 -d | gunzip` (gzip is installed in the standard images; standard:7.0's
 * Dockerfile lists it). The gzip stream is made here rather than with node:zlib, whose output depends on the
 * zlib build Node.js bundles and the CPU (Chromium's zlib hashes with CRC32 instructions where it can): the
 * same app would synthesize a different buildspec on another machine or Node.js version. This encoder depends
 * on nothing but its input: LZ77 with a hash chain, and one deflate block with Huffman codes built from the
 * symbol counts (RFC 1951, 3.2.7), in a gzip member with no name and no timestamp (RFC 1952). Its ratio is
 * within 2% of zlib's level 9 on the program.
 */

/* eslint-disable no-bitwise -- deflate and CRC-32 are defined on bits (RFC 1951, RFC 1952). */

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** The order in which a dynamic block gives the lengths of the code length code. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** How many earlier positions with the same 3-byte hash the match search tries. */
const MAX_CHAIN = 1024;

/** A literal byte, or a match of `length` bytes `distance` bytes back. */
type Token = { readonly literal: number } | { readonly length: number; readonly distance: number };

/** LZ77 with one step of lazy matching, as zlib does at its higher levels. */
function lz77(data: Uint8Array): Token[] {
  const n = data.length;
  const head = new Int32Array(1 << 16).fill(-1);
  const previous = new Int32Array(n);
  const hash = (i: number) => ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & 0xffff;
  const insert = (i: number) => {
    if (i + 2 < n) {
      const h = hash(i);
      previous[i] = head[h];
      head[h] = i;
    }
  };
  const longest = (i: number) => {
    let length = 0;
    let distance = 0;
    if (i + 2 >= n) return { length, distance };
    const max = Math.min(MAX_MATCH, n - i);
    for (let j = head[hash(i)], chain = 0; j >= 0 && i - j <= WINDOW && chain < MAX_CHAIN; j = previous[j], chain++) {
      let l = 0;
      while (l < max && data[j + l] === data[i + l]) l++;
      if (l > length) {
        length = l;
        distance = i - j;
        if (l === max) break;
      }
    }
    return { length, distance };
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < n) {
    const match = longest(i);
    insert(i);
    // Lazy: a longer match starting at the next byte is worth a literal here.
    if (match.length >= MIN_MATCH && !(match.length < MAX_MATCH && longest(i + 1).length > match.length)) {
      tokens.push(match);
      for (let k = 1; k < match.length; k++) insert(i + k);
      i += match.length;
    } else {
      tokens.push({ literal: data[i] });
      i++;
    }
  }
  return tokens;
}

/** The index of the last base at or below `value`. */
function codeIndex(bases: number[], value: number): number {
  let k = bases.length - 1;
  while (bases[k] > value) k--;
  return k;
}

/** Huffman code lengths for the symbol counts; ties go to the lower symbol, so the result is always the same. */
function huffmanLengths(counts: number[]): number[] {
  const lengths = counts.map(() => 0);
  let order = 0;
  const nodes: Array<{ weight: number; order: number; symbols: number[] }> = [];
  counts.forEach((count, symbol) => {
    if (count > 0) nodes.push({ weight: count, order: order++, symbols: [symbol] });
  });
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.weight - b.weight || a.order - b.order);
    const [a, b] = nodes.splice(0, 2);
    const symbols = [...a.symbols, ...b.symbols];
    for (const symbol of symbols) lengths[symbol]++;
    nodes.push({ weight: a.weight + b.weight, order: order++, symbols });
  }
  return lengths;
}

/**
 * Code lengths of at most `maxBits`, for a complete code: at least two symbols get a length (inflate refuses
 * an incomplete code), and counts are halved until the longest code fits.
 */
function limitedLengths(counts: number[], maxBits: number): number[] {
  let adjusted = counts.slice();
  for (let symbol = 0; adjusted.filter((c) => c > 0).length < 2; symbol++) {
    if (adjusted[symbol] === 0) adjusted[symbol] = 1;
  }
  for (;;) {
    const lengths = huffmanLengths(adjusted);
    if (Math.max(...lengths) <= maxBits) return lengths;
    adjusted = adjusted.map((c) => (c === 0 ? 0 : Math.max(1, c >> 1)));
  }
}

/** The canonical codes for the lengths (RFC 1951, 3.2.2). */
function canonicalCodes(lengths: number[]): number[] {
  const max = Math.max(...lengths);
  const perLength = new Array<number>(max + 1).fill(0);
  for (const l of lengths) if (l > 0) perLength[l]++;
  const next = new Array<number>(max + 1).fill(0);
  let code = 0;
  for (let bits = 1; bits <= max; bits++) {
    code = (code + perLength[bits - 1]) << 1;
    next[bits] = code;
  }
  return lengths.map((l) => (l > 0 ? next[l]++ : 0));
}

/** One final deflate block with dynamic Huffman codes. */
function deflate(data: Uint8Array): Uint8Array {
  const tokens = lz77(data);
  const literalCounts = new Array<number>(286).fill(0);
  const distanceCounts = new Array<number>(30).fill(0);
  for (const token of tokens) {
    if ('literal' in token) {
      literalCounts[token.literal]++;
    } else {
      literalCounts[257 + codeIndex(LENGTH_BASE, token.length)]++;
      distanceCounts[codeIndex(DISTANCE_BASE, token.distance)]++;
    }
  }
  literalCounts[256]++; // end of block
  const literalLengths = limitedLengths(literalCounts, 15);
  const distanceLengths = limitedLengths(distanceCounts, 15);
  const literalCodes = canonicalCodes(literalLengths);
  const distanceCodes = canonicalCodes(distanceLengths);
  let hlit = 286;
  while (hlit > 257 && literalLengths[hlit - 1] === 0) hlit--;
  let hdist = 30;
  while (hdist > 1 && distanceLengths[hdist - 1] === 0) hdist--;

  // The code lengths, with runs of zeros as symbols 17 (3 to 10) and 18 (11 to 138).
  const sequence = [...literalLengths.slice(0, hlit), ...distanceLengths.slice(0, hdist)];
  const lengthSymbols: Array<{ symbol: number; extra: number }> = [];
  for (let i = 0; i < sequence.length;) {
    let zeros = 0;
    while (sequence[i + zeros] === 0 && zeros < 138) zeros++;
    if (zeros >= 11) {
      lengthSymbols.push({ symbol: 18, extra: zeros - 11 });
      i += zeros;
    } else if (zeros >= 3) {
      lengthSymbols.push({ symbol: 17, extra: zeros - 3 });
      i += zeros;
    } else {
      lengthSymbols.push({ symbol: sequence[i], extra: 0 });
      i++;
    }
  }
  const lengthCounts = new Array<number>(19).fill(0);
  for (const s of lengthSymbols) lengthCounts[s.symbol]++;
  const lengthLengths = limitedLengths(lengthCounts, 7);
  const lengthCodes = canonicalCodes(lengthLengths);
  let hclen = 19;
  while (hclen > 4 && lengthLengths[CODE_LENGTH_ORDER[hclen - 1]] === 0) hclen--;

  const out: number[] = [];
  let pending = 0;
  let pendingBits = 0;
  /** Values go out least significant bit first... */
  const bits = (value: number, count: number) => {
    for (let i = 0; i < count; i++) {
      pending |= ((value >>> i) & 1) << pendingBits;
      if (++pendingBits === 8) {
        out.push(pending);
        pending = 0;
        pendingBits = 0;
      }
    }
  };
  /** ...Huffman codes most significant bit first. */
  const code = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits((value >>> i) & 1, 1);
  };
  bits(1, 1); // BFINAL: the only block
  bits(2, 2); // BTYPE: dynamic Huffman codes
  bits(hlit - 257, 5);
  bits(hdist - 1, 5);
  bits(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) bits(lengthLengths[CODE_LENGTH_ORDER[i]], 3);
  for (const s of lengthSymbols) {
    code(lengthCodes[s.symbol], lengthLengths[s.symbol]);
    if (s.symbol === 17) bits(s.extra, 3);
    if (s.symbol === 18) bits(s.extra, 7);
  }
  for (const token of tokens) {
    if ('literal' in token) {
      code(literalCodes[token.literal], literalLengths[token.literal]);
    } else {
      const l = codeIndex(LENGTH_BASE, token.length);
      code(literalCodes[257 + l], literalLengths[257 + l]);
      bits(token.length - LENGTH_BASE[l], LENGTH_EXTRA[l]);
      const d = codeIndex(DISTANCE_BASE, token.distance);
      code(distanceCodes[d], distanceLengths[d]);
      bits(token.distance - DISTANCE_BASE[d], DISTANCE_EXTRA[d]);
    }
  }
  code(literalCodes[256], literalLengths[256]);
  if (pendingBits > 0) out.push(pending);
  return Uint8Array.from(out);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A gzip member (RFC 1952) of `data`: the same bytes for the same input, on any machine. */
export function gzip(data: Uint8Array): Buffer {
  // ID1 ID2, CM deflate, no flags, MTIME 0, XFL 0, OS 255 (unknown).
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([header, Buffer.from(deflate(data)), trailer]);
}

/* eslint-enable no-bitwise */

/** The program as the buildspec carries it: gzip, then base64 (`base64 -d | gunzip` writes it back). */
export function encodeProgram(program: string): string {
  return gzip(Buffer.from(program, 'utf-8')).toString('base64');
}
