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

module.exports = function createTestRunTempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-jest-'));
  process.env.GROUNDWORK_JEST_PREVIOUS_TMPDIR = process.env.TMPDIR ?? '';
  process.env.GROUNDWORK_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
