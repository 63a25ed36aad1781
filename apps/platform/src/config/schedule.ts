const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;

/**
 * Checks an EventBridge schedule expression. Returns what was expected when the
 * expression is invalid, or undefined when it is valid. EventBridge rejects these
 * only at deploy time, so they are checked here.
 */
export function checkScheduleExpression(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return 'a rate of at least 1, e.g. "rate(1 hour)"';
    // EventBridge requires the singular unit for 1 and the plural otherwise.
    const singular = !rate[2].endsWith('s');
    if (value === 1 && !singular) return `the singular unit for a rate of 1, e.g. "rate(1 ${rate[2].slice(0, -1)})"`;
    if (value !== 1 && singular) return `the plural unit for a rate above 1, e.g. "rate(${value} ${rate[2]}s)"`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    // EventBridge cron has 6 fields: minutes hours day-of-month month day-of-week year.
    if (fields.length !== 6) {
      return `a cron expression with 6 fields (minutes hours day-of-month month day-of-week year), e.g. "cron(0 6 * * ? *)"`;
    }
    // EventBridge requires "?" in one of day-of-month or day-of-week.
    if (fields[2] !== '?' && fields[4] !== '?') {
      return 'a cron expression with "?" in day-of-month or day-of-week, e.g. "cron(0 6 * * ? *)"';
    }
    return undefined;
  }
  return 'an EventBridge schedule expression, "rate(<n> <unit>)" or "cron(<6 fields>)", e.g. "rate(1 hour)"';
}
