import { DefaultStackSynthesizer, Token } from 'aws-cdk-lib';
import { BootstrapContract, BootstrapRoleKind } from '../src';

const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';

/** aws-cdk-lib's default role ARN of each kind: the names the synthesizer asks for. */
const SYNTHESIZER_ROLE_ARNS: Record<BootstrapRoleKind, string> = {
  [BootstrapRoleKind.DEPLOY]: DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN,
  [BootstrapRoleKind.FILE_PUBLISHING]: DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN,
  [BootstrapRoleKind.IMAGE_PUBLISHING]: DefaultStackSynthesizer.DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN,
  [BootstrapRoleKind.LOOKUP]: DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN,
  [BootstrapRoleKind.CLOUDFORMATION_EXECUTION]: DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN,
};

function synthesizerRoleName(kind: BootstrapRoleKind, qualifier: string): string {
  return SYNTHESIZER_ROLE_ARNS[kind]
    .replace(/^.*:role\//, '')
    .replace('${Qualifier}', qualifier)
    .replace('${AWS::AccountId}', ACCOUNT)
    .replace('${AWS::Region}', REGION);
}

/** IAM's `*` wildcard as a regular expression. */
function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

const KINDS = Object.values(BootstrapRoleKind);

describe('BootstrapContract names', () => {
  test.each(KINDS)('%s: the name aws-cdk-lib’s DefaultStackSynthesizer asks for', (kind) => {
    expect(BootstrapContract.roleName(kind, 'gw1', ACCOUNT, REGION)).toBe(synthesizerRoleName(kind, 'gw1'));
  });

  test.each(KINDS)('%s: the pattern matches that kind of role of its qualifier only', (kind) => {
    const pattern = BootstrapContract.roleNamePattern(kind, 'gw1');
    expect(globMatches(pattern, synthesizerRoleName(kind, 'gw1'))).toBe(true);
    expect(globMatches(pattern, synthesizerRoleName(kind, 'gw2'))).toBe(false);
    for (const other of KINDS.filter((k) => k !== kind)) {
      expect(globMatches(pattern, synthesizerRoleName(other, 'gw1'))).toBe(false);
    }
  });
});

describe('BootstrapContract.isValidQualifier', () => {
  test.each(['hnb659fds', 'a', 'gw1', '0123456789'])('accepts %j', (qualifier) => {
    expect(BootstrapContract.isValidQualifier(qualifier)).toBe(true);
  });

  test.each(['', 'Groundwork', 'a'.repeat(11), 'gw-1', 'gw_1', ' gw1', Token.asString({ Ref: 'Qualifier' })])(
    'rejects %j',
    (qualifier) => {
      expect(BootstrapContract.isValidQualifier(qualifier)).toBe(false);
    },
  );

  test('the longest valid qualifier still gives IAM role names of at most 64 characters', () => {
    // ap-southeast-5 is among the longest commercial region names (14 characters).
    const longest = KINDS.map((kind) => BootstrapContract.roleName(kind, 'a'.repeat(10), ACCOUNT, 'ap-southeast-5'));
    expect(Math.max(...longest.map((name) => name.length))).toBe(64);
  });
});
