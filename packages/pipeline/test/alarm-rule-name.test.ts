import { alarmRuleName } from '../src/private/alarm-rule-name';

/** CodePipeline's rule name rule (RuleDeclaration name): 1 to 100 of these characters. */
const RULE_NAME = /^[A-Za-z0-9.@\-_]{1,100}$/;

test('a stage name that fits is used whole: <stage>-alarm-<n>', () => {
  expect(alarmRuleName('prod', 1)).toBe('prod-alarm-1');
  expect(alarmRuleName('Canary.2', 5)).toBe('Canary.2-alarm-5');
  const longest = 'a'.repeat(92);
  expect(alarmRuleName(longest, 1)).toBe(`${longest}-alarm-1`);
});

test('a long stage name is cut and hashed: the rules of one gate and the parts of a split wave stay distinct', () => {
  const wave = 'w'.repeat(93);
  const names = [`${wave}.1`, `${wave}.2`].flatMap((stage) => [1, 2, 3, 4, 5].map((i) => alarmRuleName(stage, i)));
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(RULE_NAME);
  // The index stays readable at the end.
  expect(alarmRuleName(`${wave}.1`, 3)).toMatch(/-[0-9a-f]{8}-alarm-3$/);
});
