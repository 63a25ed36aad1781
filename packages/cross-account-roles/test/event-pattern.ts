import * as fs from 'fs';
import * as path from 'path';

// Test helpers for EventBridge rules: a deliberately small event pattern matcher and JSONPath resolver.
// The matcher supports what the package's rules use: nested objects whose leaves are arrays of literal values
// (a field matches if its value, or one of its values when it is an array, is in the list). Anything else
// (content filters such as prefix or exists) throws, so an unsupported pattern cannot match by accident.

/** Whether `event` matches `pattern` (EventBridge semantics for literal values and nested fields). */
export function matchesPattern(pattern: any, event: any): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    const actual = event?.[key];
    if (Array.isArray(expected)) {
      for (const value of expected) {
        if (value !== null && typeof value === 'object') {
          throw new Error(`event-pattern: content filters are not supported (${key}: ${JSON.stringify(value)})`);
        }
      }
      const values = Array.isArray(actual) ? actual : [actual];
      if (!values.some((v) => v !== undefined && expected.includes(v))) return false;
    } else if (expected !== null && typeof expected === 'object') {
      if (actual === null || typeof actual !== 'object') return false;
      if (!matchesPattern(expected, actual)) return false;
    } else {
      throw new Error(
        `event-pattern: a pattern leaf must be a list of values, found ${key}: ${JSON.stringify(expected)}`,
      );
    }
  }
  return true;
}

/** The value at a `$.a.b.c` path of `event`, undefined when a step is missing (as EventBridge's input paths). */
export function resolvePath(event: any, jsonPath: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(jsonPath)) {
    throw new Error(`event-pattern: only $.a.b.c paths are supported, found ${jsonPath}`);
  }
  return jsonPath
    .split('.')
    .slice(1)
    .reduce((value: any, step) => (value !== null && typeof value === 'object' ? value[step] : undefined), event);
}

/** An EventBridge event from test/fixtures/events, its `//` comment removed. */
export function fixtureEvent(name: string): any {
  const { '//': _comment, ...event } = JSON.parse(
    fs.readFileSync(path.join(__dirname, 'fixtures', 'events', `${name}.json`), 'utf-8'),
  );
  return event;
}
