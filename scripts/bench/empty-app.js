// The empty-app floor of `npm run bench:synth`: what any CDK app pays with the
// platform's validation settings, before it has anything of its own.
//
// A fresh node process loads aws-cdk-lib and cdk-nag, creates an App with the
// same context as the main job (apps/platform/cdk.json, read exactly as
// apps/platform/src/main.ts reads it when run with node), registers the same
// compliance packs on the App (built by the platform's own createCompliancePacks),
// adds one Stack holding one resource without properties and synthesizes. One
// stack rather than none: with no stack the validation plugins receive nothing
// and CloudFormation validation never loads its rules, so the floor would leave
// out a fixed cost every app pays. One resource because CloudFormation rejects
// a template without resources (validation rule F0001 fails the synth); a
// WaitConditionHandle has no properties for the packs to check.
//
// Plain JavaScript on purpose: the main job runs compiled JavaScript, so the
// floor must not pay for a TypeScript compiler either.
//
// Usage: node empty-app.js PLATFORM_APP_DIR OUTDIR PACK[,PACK...] REQUIRED_TAG[,TAG...]
'use strict';
const fs = require('fs');
const path = require('path');

const [appDir, outdir, packList, tagList] = process.argv.slice(2);
if (!appDir || !outdir || !packList) {
  process.stderr.write('usage: node empty-app.js PLATFORM_APP_DIR OUTDIR PACKS [REQUIRED_TAGS]\n');
  process.exit(2);
}
// Resolve from the platform app, as its main.js does.
const load = (id) => require(require.resolve(id, { paths: [appDir] }));
const { App, CfnWaitConditionHandle, Stack, Validations } = load('aws-cdk-lib');
const { createCompliancePacks } = require(path.join(appDir, 'lib', 'compliance.js'));

const cdkJson = path.join(appDir, 'cdk.json');
const context = process.env.CDK_CONTEXT_JSON
  ? {}
  : fs.existsSync(cdkJson)
    ? (JSON.parse(fs.readFileSync(cdkJson, 'utf-8')).context ?? {})
    : {};

const app = new App({ outdir, context });
const groundwork = {
  compliance: { packs: packList.split(','), requiredTags: tagList ? tagList.split(',') : [] },
};
Validations.of(app).addPlugins(...createCompliancePacks(app, groundwork));
new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Placeholder');
app.synth();
