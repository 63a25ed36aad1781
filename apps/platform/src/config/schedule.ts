const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One field of an EventBridge cron expression: its values and the special forms it takes. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for 1, 2, ... (months, days of the week). */
  readonly names?: readonly string[];
  /** `?` (day-of-month, day-of-week), `L`, `W` (day-of-month), `L` and `#` (day-of-week). */
  readonly special?: 'day-of-month' | 'day-of-week';
  readonly description: string;
}

// EventBridge User Guide, "Cron expressions": the fields, their values and wildcards.
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, description: '0-59, with , - * /' },
  { name: 'hours', min: 0, max: 23, description: '0-23, with , - * /' },
  { name: 'day-of-month', min: 1, max: 31, special: 'day-of-month', description: '1-31, with , - * ? / L W' },
  { name: 'month', min: 1, max: 12, names: MONTHS, description: '1-12 or JAN-DEC, with , - * /' },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: DAYS,
    special: 'day-of-week',
    description: '1-7 or SUN-SAT, with , - * ? L #',
  },
  { name: 'year', min: 1970, max: 2199, description: '1970-2199, with , - * /' },
];

/** A single value of the field: a number in range, or one of its names. */
function valueValid(field: CronField, text: string): boolean {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return true;
  if (!/^\d{1,4}$/.test(text)) return false;
  const value = Number(text);
  return value >= field.min && value <= field.max;
}

/** One comma-separated item: `*`, a value, a range, either with a `/step`, or the field's special forms. */
function itemValid(field: CronField, item: string): boolean {
  if (field.special === 'day-of-month' && (/^L$/.test(item) || /^LW$/.test(item))) return true;
  if (field.special === 'day-of-month' && /^\d{1,2}W$/.test(item)) return valueValid(field, item.slice(0, -1));
  if (field.special === 'day-of-week') {
    const last = /^(\w+)L$/.exec(item);
    if (last) return valueValid(field, last[1]);
    const nth = /^(\w+)#([1-5])$/.exec(item);
    if (nth) return valueValid(field, nth[1]);
  }
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0 || (step !== undefined && !/^[1-9]\d{0,3}$/.test(step))) return false;
  if (base === '*') return true;
  const range = base.split('-');
  if (range.length > 2) return false;
  return range.every((part) => valueValid(field, part));
}

function fieldValid(field: CronField, text: string): boolean {
  if (text === '?') return field.special !== undefined;
  return text.split(',').every((item) => item !== '' && itemValid(field, item));
}

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
    for (const [index, field] of CRON_FIELDS.entries()) {
      if (!fieldValid(field, fields[index])) {
        return `a cron expression whose ${field.name} field is ${field.description}, found "${fields[index]}"`;
      }
    }
    // EventBridge User Guide, "Cron expressions": "If you use the '#' character, you can define only one
    // expression in the day-of-week field. For example, "3#1,6#3" is not valid because it is interpreted as
    // two expressions." PutRule refuses it at deploy time.
    const dayOfWeek = fields[4];
    if (dayOfWeek.includes('#') && dayOfWeek.includes(',')) {
      return `a cron expression whose day-of-week field holds a single expression when it uses # (EventBridge reads "3#1,6#3" as two and refuses it), found "${dayOfWeek}"`;
    }
    return undefined;
  }
  return 'an EventBridge schedule expression, "rate(<n> <unit>)" or "cron(<6 fields>)", e.g. "rate(1 hour)"';
}
