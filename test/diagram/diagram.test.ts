import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../scripts/diagram/main';
import { pipelinesOf, renderPipelines } from '../../scripts/diagram/pipeline-diagram';
import { renderTrustGraph, shortCondition, TemplateSource, trustEdges } from '../../scripts/diagram/trust-graph';

const ROOT = path.resolve(__dirname, '..', '..');
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${rest}`]] });

function source(resources: { [id: string]: unknown }, extra: { [key: string]: unknown } = {}): TemplateSource {
  return {
    name: 'Stack',
    account: '333333333333',
    region: 'eu-west-1',
    template: { Resources: resources as any, ...extra },
  };
}

function role(trust: unknown[], roleName?: unknown) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: trust }, RoleName: roleName },
  };
}

/** The trust edges of one role whose trust policy is one Allow of sts:AssumeRole to `principal`. */
function edgesOfOneGrant(principal: unknown, condition?: object) {
  const statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal };
  return trustEdges([source({ R: role([condition ? { ...statement, Condition: condition } : statement], 'r') })]);
}

describe('trust edges', () => {
  test('an account root narrowed by aws:PrincipalArn is those principals; other conditions are kept', () => {
    const edges = trustEdges([
      source({
        Audit: role(
          [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { AWS: partitionArn('222222222222:root') },
              Condition: {
                Bool: { 'aws:MultiFactorAuthPresent': 'true' },
                ArnLike: { 'aws:PrincipalArn': [partitionArn('222222222222:role/auditor')] },
              },
            },
          ],
          'audit',
        ),
      }),
    ]);
    expect(edges).toEqual([
      expect.objectContaining({
        roleAccount: '333333333333',
        role: 'audit',
        principalKind: 'AWS',
        principalAccount: '222222222222',
        principal: 'role/auditor',
        conditions: ['aws:multifactorauthpresent Bool true'],
        actions: ['sts:AssumeRole'],
      }),
    ]);
  });

  test('an account root with ArnNotLike aws:PrincipalArn stays any principal of the account, the exclusion a condition', () => {
    const edges = trustEdges([
      source({
        Ops: role(
          [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { AWS: partitionArn('222222222222:root') },
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [partitionArn('222222222222:role/intern-*')] } },
            },
          ],
          'ops',
        ),
      }),
    ]);
    expect(edges).toEqual([
      expect.objectContaining({
        role: 'ops',
        principalAccount: '222222222222',
        principal: 'any principal',
        conditions: ['aws:principalarn ArnNotLike arn:aws:iam::222222222222:role/intern-*'],
      }),
    ]);
  });

  test('role names resolve pseudo parameters and parameter defaults; unnamed roles show their logical id', () => {
    const edges = trustEdges([
      source(
        {
          Deploy: role(
            [
              {
                Effect: 'Allow',
                Action: ['sts:AssumeRole', 'sts:TagSession'],
                Principal: { AWS: partitionArn('111111111111:root') },
              },
            ],
            {
              'Fn::Join': [
                '',
                ['cdk-', { Ref: 'Qualifier' }, '-deploy-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
              ],
            },
          ),
          Fn: role([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }]),
          Denied: role([{ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: '*' } }], 'denied'),
        },
        { Parameters: { Qualifier: { Type: 'String', Default: 'hnb659fds' } } },
      ),
    ]);
    expect(edges.map((e) => [e.role, e.principalKind, e.principal, e.actions, e.effect])).toEqual([
      ['<Fn>', 'Service', 'lambda.amazonaws.com', ['sts:AssumeRole'], 'Allow'],
      [
        'cdk-hnb659fds-deploy-333333333333-eu-west-1',
        'AWS',
        'any principal',
        ['sts:AssumeRole', 'sts:TagSession'],
        'Allow',
      ],
      ['denied', 'AWS', 'any principal', ['sts:AssumeRole'], 'Deny'],
    ]);
  });

  test('the picture shows AWS principals by account; service principals are in the table only', () => {
    const edges = trustEdges([
      source({
        Audit: role(
          [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: partitionArn('222222222222:root') } }],
          'audit',
        ),
        Fn: role([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }]),
      }),
    ]);
    const markdown = renderTrustGraph(edges, new Map([['222222222222', 'security']]));
    const mermaid = markdown.slice(markdown.indexOf('```mermaid'), markdown.lastIndexOf('```'));
    expect(mermaid).toContain('subgraph a222222222222["security 222222222222"]');
    expect(mermaid).toMatch(/n1\["any principal"\][\s\S]*n2\["role audit"\][\s\S]*n1 --> n2/);
    expect(mermaid).not.toContain('lambda');
    expect(markdown).toContain('| 333333333333 | `<Fn>` | `Service: lambda.amazonaws.com` | - | Stack |');
  });

  test('anyone narrowed by aws:PrincipalArn and accounts or an organization: an edge from each', () => {
    const anyone = (condition: object) =>
      role(
        [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: '*' },
            Condition: { ArnLike: { 'aws:PrincipalArn': partitionArn('*:role/ops-*') }, ...condition },
          },
        ],
        'reconcile',
      );
    const byAccounts = trustEdges([
      source({ R: anyone({ StringEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } }) }),
    ]);
    expect(byAccounts.map((e) => [e.principalAccount, e.principal, e.conditions])).toEqual([
      ['111111111111', 'role/ops-*', []],
      ['222222222222', 'role/ops-*', []],
    ]);
    const byOrganization = trustEdges([source({ R: anyone({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }) })]);
    expect(byOrganization.map((e) => [e.principalAccount, e.principal])).toEqual([
      ['organization o-abc', 'role/ops-*'],
    ]);
    // Without a narrowing condition, anyone stays anyone: the picture must show it.
    const open = edgesOfOneGrant({ AWS: '*' });
    expect(open.map((e) => [e.principalKind, e.principalAccount, e.principal])).toEqual([
      ['AWS', undefined, 'any principal'],
    ]);
  });

  test('only StringEquals narrows anyone to accounts or an organization; a negated operator stays a condition', () => {
    const anyoneWith = (condition: object) =>
      edgesOfOneGrant({ AWS: '*' }, condition).map((e) => [e.principalAccount, e.principal, e.conditions]);
    expect(anyoneWith({ StringNotEquals: { 'aws:PrincipalAccount': '999999999999' } })).toEqual([
      [undefined, 'any principal', ['aws:principalaccount StringNotEquals 999999999999']],
    ]);
    expect(anyoneWith({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } })).toEqual([
      [undefined, 'any principal', ['aws:principalorgid StringNotEquals o-abc']],
    ]);
  });

  test('a named role principal keeps its name; an aws:PrincipalArn condition on it stays a condition', () => {
    const edges = edgesOfOneGrant(
      { AWS: partitionArn('222222222222:role/deployer') },
      { ArnLike: { 'aws:PrincipalArn': partitionArn('222222222222:role/other') } },
    );
    expect(edges.map((e) => [e.principalAccount, e.principal, e.conditions])).toEqual([
      ['222222222222', 'role/deployer', ['aws:principalarn ArnLike arn:aws:iam::222222222222:role/other']],
    ]);
  });

  test('anyone narrowed by aws:PrincipalArn alone keeps the account of the ARN pattern, or shows it is any account', () => {
    const narrowed = (...arns: unknown[]) =>
      edgesOfOneGrant({ AWS: '*' }, { ArnLike: { 'aws:PrincipalArn': arns } }).map((e) => [
        e.principalAccount,
        e.principal,
      ]);
    // One account's roles: an edge from that account.
    expect(narrowed(partitionArn('999999999999:role/ops'))).toEqual([['999999999999', 'role/ops']]);
    // Any account's ops-* roles (`*`): the whole pattern, not `role/ops-*`, which reads as one account's roles.
    expect(narrowed(partitionArn('*:role/ops-*'))).toEqual([[undefined, 'arn:aws:iam::*:role/ops-*']]);
    expect(narrowed(partitionArn('111111111111:role/a'), partitionArn('222222222222:role/b'))).toEqual([
      [undefined, 'arn:aws:iam::111111111111:role/a or arn:aws:iam::222222222222:role/b'],
    ]);
  });

  test('a Deny statement is a denial edge beside the Allow edges: crossed in the picture, marked in the table', () => {
    const edges = trustEdges([
      source({
        R: role(
          [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: partitionArn('222222222222:root') } },
            // Anyone outside the organization is denied, and one account's principals entirely.
            {
              Effect: 'Deny',
              Action: 'sts:AssumeRole',
              Principal: { AWS: '*' },
              Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
            },
            {
              Effect: 'Deny',
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Principal: '*',
              Condition: { StringEquals: { 'aws:PrincipalAccount': '999999999999' } },
            },
            // The same principal as the Allow: a separate edge, not merged into it.
            { Effect: 'Deny', Action: 'sts:TagSession', Principal: { AWS: partitionArn('222222222222:root') } },
          ],
          'audit',
        ),
      }),
    ]);
    expect(edges.map((e) => [e.effect, e.principalAccount, e.principal, e.conditions, e.actions])).toEqual([
      ['Allow', '222222222222', 'any principal', [], ['sts:AssumeRole']],
      ['Deny', undefined, 'any principal', ['aws:principalorgid StringNotEquals o-abc'], ['sts:AssumeRole']],
      ['Deny', '222222222222', 'any principal', [], ['sts:TagSession']],
      ['Deny', '999999999999', 'any principal', [], ['sts:AssumeRole', 'sts:TagSession']],
    ]);
    const markdown = renderTrustGraph(edges, new Map([['999999999999', 'sandbox']]));
    const mermaid = markdown.slice(markdown.indexOf('```mermaid'), markdown.lastIndexOf('```'));
    expect(mermaid.match(/ --> /g)).toHaveLength(1);
    expect(mermaid).toMatch(/n\d+ --x\|"principalorgid StringNotEquals o-abc"\| n\d+/);
    expect(mermaid.match(/ --x/g)).toHaveLength(3);
    expect(markdown).toContain(
      '| 333333333333 | `audit` | `denied: sandbox 999999999999: any principal` | - | Stack |',
    );
    expect(markdown).toContain('| 333333333333 | `audit` | `222222222222: any principal` | - | Stack |');
    expect(markdown).toContain('3 of the edges are denials');
    // Without a Deny statement, the text says nothing of denials.
    expect(renderTrustGraph(edges.slice(0, 1), new Map())).not.toContain('denials');
  });

  test('conditions are listed in a stable order, and a | in a table cell is escaped', () => {
    const edges = edgesOfOneGrant(
      { AWS: partitionArn('222222222222:root') },
      { StringEquals: { 'sts:ExternalId': ['a', 'b'] }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    );
    expect(edges[0].conditions).toEqual(['aws:multifactorauthpresent Bool true', 'sts:externalid StringEquals a | b']);
    expect(renderTrustGraph(edges, new Map())).toContain(
      '| `aws:multifactorauthpresent Bool true`, `sts:externalid StringEquals a \\| b` |',
    );
  });

  test('MFA and external-ID conditions read as words only when they require them', () => {
    expect(shortCondition('aws:multifactorauthpresent Bool true')).toBe('MFA');
    expect(shortCondition('aws:multifactorauthpresent Bool false')).toBe('multifactorauthpresent = false');
    // Null false: the external ID must be present, the opposite of "no external ID".
    expect(shortCondition('sts:externalid Null false')).toBe('externalid Null false');
  });

  test('common conditions read as words on edges', () => {
    expect(shortCondition('sts:externalid Null true')).toBe('no external ID');
    expect(shortCondition('aws:multifactorauthage NumericLessThan 3600')).toBe('MFA age < 3600 s');
    expect(shortCondition('aws:principalorgid StringEquals o-abc')).toBe('principalorgid = o-abc');
  });
});

describe('pipeline diagram', () => {
  const template = {
    Resources: {
      P: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Stages: [
            { Name: 'Source', Actions: [{ Name: 'Src', ActionTypeId: { Category: 'Source', Provider: 'S3' } }] },
            {
              Name: 'prod',
              Actions: [
                { Name: 'Approve', RunOrder: 1, ActionTypeId: { Category: 'Approval', Provider: 'Manual' } },
                {
                  Name: 'app.Deploy',
                  RunOrder: 2,
                  ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
                  RoleArn: partitionArn('555555555555:role/cdk-deploy'),
                },
              ],
            },
          ],
        },
      },
    },
  };

  test('stages in order, steps by run order, target accounts from the action roles', () => {
    const pipelines = pipelinesOf([{ environment: '(root)', stackName: 'pipe', artifactId: 'pipe', template }]);
    expect(pipelines[0].stages.map((s) => s.name)).toEqual(['Source', 'prod']);
    expect(pipelines[0].stages[1].actions[1]).toEqual({
      name: 'app.Deploy',
      runOrder: 2,
      type: 'Deploy/CloudFormation',
      account: '555555555555',
    });
    const markdown = renderPipelines(pipelines, new Map([['555555555555', 'prod']]));
    expect(markdown).toContain('## pipe (2 stages, 3 actions)');
    expect(markdown).toContain('s2_1 --> s2_2');
    expect(markdown).toContain('s1 --> s2');
    expect(markdown).toContain('| 2 | prod | 2 | 2 | prod 555555555555 |');
  });

  test('steps follow the run order numerically, and actions with the same run order are one step', () => {
    const action = (name: string, runOrder: number) => ({
      Name: name,
      RunOrder: runOrder,
      ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
    });
    const pipelines = pipelinesOf([
      {
        environment: '(root)',
        stackName: 'pipe',
        artifactId: 'pipe',
        template: {
          Resources: {
            P: {
              Type: 'AWS::CodePipeline::Pipeline',
              Properties: { Stages: [{ Name: 'dev', Actions: [action('late', 10), action('a', 2), action('b', 2)] }] },
            },
          },
        },
      },
    ]);
    const markdown = renderPipelines(pipelines, new Map());
    expect(markdown).toContain('s1_1["a (Deploy/CloudFormation)<br/>b (Deploy/CloudFormation)"]');
    expect(markdown).toContain('s1_2["late (Deploy/CloudFormation)"]');
    expect(markdown).toContain('| 1 | dev | 3 | 2 | - |');
  });
});

describe('docs/generated', () => {
  let assembly: string;
  beforeAll(() => {
    // The example config, synthesized by the main job exactly as `npm run diagram` does.
    assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-diagram-'));
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'apps', 'platform', 'lib', 'main.js'), '--outdir', assembly],
      { encoding: 'utf-8', env: { ...process.env, CDK_VALIDATION: 'false' } },
    );
    if (result.status !== 0) throw new Error(`synth failed:\n${result.stderr}`);
  }, 240_000);

  test('the committed diagrams match the example config (run npm run diagram when this fails)', () => {
    expect(main(['--assembly', assembly, '--check'])).toBe(0);
  });

  test('a mistyped option is a usage error (exit 2), not a check of the default directory', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--assembly', assembly, '--chek'])).toBe(2);
      expect(main(['--out'])).toBe(2);
      expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([
        "diagram: unknown option '--chek', expected one of: --assembly VALUE, --config-dir VALUE, --out VALUE, --check\n",
        'diagram: --out needs a value, found none\n',
      ]);
    } finally {
      stderr.mockRestore();
    }
  });

  test('--check reports a diagram missing from the output folder as stale; a missing assembly is exit 1', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-diagram-out-'));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--assembly', assembly, '--out', out, '--check'])).toBe(1);
      expect(main(['--assembly', path.join(out, 'no-such-assembly'), '--out', out])).toBe(1);
      expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([
        `diagram: ${path.join(out, 'pipeline.md')} is stale: run npm run diagram\n`,
        `diagram: ${path.join(out, 'trust-graph.md')} is stale: run npm run diagram\n`,
        `diagram: ${path.join(out, 'no-such-assembly')} does not exist or is not a directory\n`,
      ]);
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      stderr.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('a changed diagram is reported as stale', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-diagram-out-'));
    expect(main(['--assembly', assembly, '--out', out])).toBe(0);
    expect(main(['--assembly', assembly, '--out', out, '--check'])).toBe(0);
    const file = path.join(out, 'trust-graph.md');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf-8').replace('groundwork-break-glass', 'someone-else'));
    expect(main(['--assembly', assembly, '--out', out, '--check'])).toBe(1);
  });

  test('the trust graph shows the pipeline trusted by every environment and break-glass behind MFA', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-diagram-out-'));
    main(['--assembly', assembly, '--out', out]);
    const trust = fs.readFileSync(path.join(out, 'trust-graph.md'), 'utf-8');
    for (const env of ['dev 333333333333', 'test 444444444444', 'prod 555555555555']) {
      expect(trust).toMatch(
        new RegExp(
          `\\| ${env} \\| \`cdk-hnb659fds-deploy-role-\\d{12}-eu-west-1\` \\| \`tooling 111111111111: role/example-platform\\*\``,
        ),
      );
    }
    expect(trust).toContain('MFA age < 3600 s'.replace('<', '#60;'));
  });
});
