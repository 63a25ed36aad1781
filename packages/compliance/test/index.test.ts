import { PACKAGE_NAME } from '../src';

test('name', () => {
  expect(PACKAGE_NAME).toMatch(/^@groundwork\//);
});
