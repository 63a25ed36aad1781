// jest globalTeardown: removes the test run's temporary directory (see temp-dir-setup.js).
'use strict';
const fs = require('fs');

module.exports = function removeTestRunTempDir() {
  const dir = process.env.GROUNDWORK_JEST_TMPDIR;
  if (!dir) return;
  const previous = process.env.GROUNDWORK_JEST_PREVIOUS_TMPDIR;
  if (previous) {
    process.env.TMPDIR = previous;
  } else {
    delete process.env.TMPDIR;
  }
  delete process.env.GROUNDWORK_JEST_TMPDIR;
  delete process.env.GROUNDWORK_JEST_PREVIOUS_TMPDIR;
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
};
