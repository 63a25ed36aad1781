import { Template } from 'aws-cdk-lib/assertions';
import { buildIntegApp } from './integ.security-baseline';
import './util';

// Stand-in for `integ-runner` snapshot mode, which fails on this aws-cdk-lib (cloud assembly
// schema 55 vs. the 53 integ-runner 2.197 reads). The committed snapshot is the integ stack's template.
test('integ stack template matches the committed snapshot', () => {
  const { stack } = buildIntegApp();
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
