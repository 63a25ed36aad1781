import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findReplacementSpec, loadReplacementSpec } from '../../scripts/change-report/replacement-spec';

const spec = findReplacementSpec();

test('the CloudFormation resource specification from the npm ecosystem is found (not the fallback table)', () => {
  expect(spec.source).toMatch(/^(@aws-cdk\/aws-service-spec|aws-cdk)@\d+\.\d+\.\d+ \(db\.json\.gz\)$/);
});

test.each([
  ['AWS::S3::Bucket', ['BucketName'], 'always'],
  ['AWS::S3::Bucket', ['VersioningConfiguration', 'Status'], 'none'],
  ['AWS::EC2::VPC', ['CidrBlock'], 'always'],
  ['AWS::EC2::VPC', ['InstanceTenancy'], 'conditional'],
  ['AWS::DynamoDB::Table', ['KeySchema', 0, 'KeyType'], 'always'],
  ['AWS::DynamoDB::Table', ['BillingMode'], 'none'],
  ['AWS::SQS::Queue', ['FifoQueue'], 'always'],
  ['AWS::Logs::LogGroup', ['RetentionInDays'], 'none'],
  ['AWS::Unknown::Thing', ['Name'], 'none'],
  // Immutable: the spec says in-place, CloudFormation fails the update; reported like a replacement.
  ['AWS::KMS::Key', ['KeySpec'], 'always'],
  ['AWS::KMS::Key', ['Description'], 'none'],
])('%s %j updates with replacement %s', (type, propertyPath, expected) => {
  expect(spec.replacementFor(type, propertyPath)).toBe(expected);
});

test('a property nested in a type definition is looked up through the reference', () => {
  // Properties of nested types carry their own update behaviour in the spec.
  expect(spec.replacementFor('AWS::RDS::DBCluster', ['ServerlessV2ScalingConfiguration', 'MaxCapacity'])).toBe('none');
  expect(spec.replacementFor('AWS::EC2::LaunchTemplate', ['LaunchTemplateName'])).toBe('always');
});

test('stateful types: the listed ones plus the spec\u2019s own isStateful flag', () => {
  for (const type of [
    'AWS::S3::Bucket',
    'AWS::KMS::Key',
    'AWS::EC2::VPC',
    'AWS::CloudTrail::Trail',
    'AWS::ECR::Repository',
  ]) {
    expect(spec.isStateful(type)).toBe(true);
  }
  expect(spec.isStateful('AWS::SecretsManager::Secret')).toBe(true);
  expect(spec.isStateful('AWS::IAM::Role')).toBe(false);
});

test('GROUNDWORK_SERVICE_SPEC pointing at an unreadable file falls back to the built-in table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-spec-'));
  const bad = path.join(dir, 'db.json.gz');
  fs.writeFileSync(bad, 'not gzip');
  const previous = process.env.GROUNDWORK_SERVICE_SPEC;
  process.env.GROUNDWORK_SERVICE_SPEC = bad;
  try {
    const fallback = findReplacementSpec();
    expect(fallback.source).toMatch(/built-in table/);
    expect(fallback.replacementFor('AWS::S3::Bucket', ['BucketName'])).toBe('always');
    expect(() => loadReplacementSpec(bad)).toThrow();
  } finally {
    if (previous === undefined) delete process.env.GROUNDWORK_SERVICE_SPEC;
    else process.env.GROUNDWORK_SERVICE_SPEC = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
