// jest globalSetup: gives the test run its own temporary directory (removed by temp-dir-teardown.js).
//
// aws-cdk-lib writes every App synthesized without an outdir to a fresh `cdk.out*` directory under
// os.tmpdir() and never removes it, and many tests create scratch directories there: before this,
// each full `npm test` left thousands of directories (hundreds of MB) in /tmp.
//
// It runs in jest's parent process before the workers start, so the workers, the tests in them and
// every child process a test starts inherit TMPDIR. (Setting it from inside a test file would not
// work: jest gives each test file a copy of process.env, and os.tmpdir() reads the real one.)
//
// Plain JavaScript, so that each member's ts-jest transform need not reach outside its sources.
// projenrc lists both files in every workspace member's jest configuration.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const PREFIX = 'groundwork-jest-';

/** Whether the process `pid` still runs (EPERM: it does, as another user's). */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Removes the directories of earlier runs that ended without their teardown (a killed jest): each
 * name holds the pid of the run's jest process, and a directory whose process is gone is left over.
 */
function removeLeftovers(tmp) {
  for (const name of fs.readdirSync(tmp)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (match && !isAlive(Number(match[1]))) {
      try {
        fs.rmSync(path.join(tmp, name), { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // Not ours to remove (another user's): a left-over directory must not stop the run.
      }
    }
  }
}

module.exports = function createTestRunTempDir() {
  removeLeftovers(os.tmpdir());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  process.env.GROUNDWORK_JEST_PREVIOUS_TMPDIR = process.env.TMPDIR ?? '';
  process.env.GROUNDWORK_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
