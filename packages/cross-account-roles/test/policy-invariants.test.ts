import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentTrust } from '../src';
import { allConstructs, asArray, flat, TRUST_PROPS } from './fixtures';

// Every template this package can produce: the composed app and the standalone bootstrap template.
const { targetStack, pipelineStack } = allConstructs();
const templates: { [name: string]: any } = {
  target: Template.fromStack(targetStack).toJSON(),
  pipeline: Template.fromStack(pipelineStack).toJSON(),
  bootstrap: JSON.parse(DeploymentTrust.renderBootstrapTemplate(TRUST_PROPS)),
};

/** Every policy document in a template, with where it came from. */
function policyDocuments(template: any): Array<{ where: string; document: any }> {
  const found: Array<{ where: string; document: any }> = [];
  for (const [id, r] of Object.entries(template.Resources) as Array<[string, any]>) {
    const p = r.Properties ?? {};
    for (const key of ['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument', 'RepositoryPolicyText']) {
      if (p[key]) found.push({ where: `${id}.${key}`, document: flat(p[key]) });
    }
    for (const inline of asArray(p.Policies)) {
      found.push({ where: `${id}.Policies`, document: flat(inline.PolicyDocument) });
    }
  }
  return found;
}

const allDocuments = Object.entries(templates).flatMap(([name, t]) =>
  policyDocuments(t).map((d) => ({ ...d, where: `${name}:${d.where}` })),
);

describe('policy invariants across the package', () => {
  test('the walk found the policies (guards against a vacuous pass)', () => {
    expect(allDocuments.length).toBeGreaterThan(20);
  });

  test('no Allow grants * or *:* as an action, or iam:*', () => {
    const offenders = allDocuments.flatMap(({ where, document }) =>
      asArray(document.Statement)
        .filter((s: any) => s.Effect === 'Allow')
        .flatMap((s: any) => asArray(s.Action))
        .filter((a: string) => a === '*' || a === '*:*' || a.toLowerCase() === 'iam:*')
        .map((a: string) => `${where}: ${a}`),
    );
    expect(offenders).toEqual([]);
  });

  test('an IAM wildcard in an Allow names reads only (iam:Get*, iam:List*): no write is allowed by pattern', () => {
    const wildcards = allDocuments.flatMap(({ where, document }) =>
      asArray(document.Statement)
        .filter((s: any) => s.Effect === 'Allow')
        .flatMap((s: any) => asArray(s.Action))
        .filter((a: string) => /^iam:.*[*?]/i.test(a))
        .map((a: string) => `${where}: ${a}`),
    );
    // The boundary's IAM reads (AWS Config's recorder and the audit role carry it) are the only IAM wildcards.
    expect(wildcards.length).toBeGreaterThan(0);
    expect(wildcards.filter((w) => !/: iam:(Get|List)\*$/.test(w))).toEqual([]);
  });

  test('no identity or resource policy allows every action on every resource', () => {
    const offenders = allDocuments.filter(({ document }) =>
      asArray(document.Statement).some(
        (s: any) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).some((a: string) => a.endsWith('*') && !a.includes(':')) &&
          asArray(s.Resource).includes('*'),
      ),
    );
    expect(offenders.map((o) => o.where)).toEqual([]);
  });

  test('no trust policy trusts an account root without an aws:PrincipalArn condition, nor everyone', () => {
    const trustDocuments = allDocuments.filter(({ where }) => where.endsWith('AssumeRolePolicyDocument'));
    // Guards the walk: the 5 bootstrap roles of the app and of the bootstrap template, break-glass and audit
    // roles, and the account roots the pattern trusts (narrowed), which the filter below must see.
    expect(trustDocuments.length).toBeGreaterThanOrEqual(12);
    const roots = trustDocuments.flatMap(({ document }) =>
      asArray(document.Statement).filter((s: any) =>
        asArray(s.Principal?.AWS).some((a: string) => a.endsWith(':root')),
      ),
    );
    expect(roots.length).toBeGreaterThan(0);
    const offenders = trustDocuments.flatMap(({ where, document }) =>
      asArray(document.Statement)
        .filter((s: any) => s.Effect === 'Allow')
        .filter((s: any) => {
          const aws = asArray(s.Principal?.AWS);
          const rootTrusted = aws.some((a: string) => a === '*' || a.endsWith(':root') || /^\d{12}$/.test(a));
          const narrowed = s.Condition?.ArnLike?.['aws:PrincipalArn'] || s.Condition?.ArnEquals?.['aws:PrincipalArn'];
          return aws.includes('*') || (rootTrusted && !narrowed);
        })
        .map(() => where),
    );
    expect(offenders).toEqual([]);
  });

  test('no IAM users, groups or access keys anywhere', () => {
    for (const [name, t] of Object.entries(templates)) {
      const types = (Object.values(t.Resources) as any[]).map((r) => r.Type);
      expect({
        name,
        bad: types.filter((x) => /^AWS::IAM::(User|AccessKey|Group|UserToGroupAddition)$/.test(x)),
      }).toEqual({
        name,
        bad: [],
      });
    }
  });
});
