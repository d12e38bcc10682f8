/**
 * The six-field NCRONTAB schedules the Functions timer trigger accepts (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`, UTC), checked the way the local host runs them: with croner, so a schedule that passes here is the
 * schedule the local host fires. croner also accepts Quartz extensions NCRONTAB does not know (`?`, `L`, `W`, `#`,
 * day-of-week 7); those are refused first, because the Functions host would refuse them at start-up in Azure.
 */
import { Cron } from 'croner';

const FIELDS = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** One list item: `*`, a value or a range, optionally stepped (`*\/5`, `10-20/2`, `MON-FRI`). */
const ITEM = /^(\*|[0-9]+|[A-Za-z]{3})(-([0-9]+|[A-Za-z]{3}))?(\/[0-9]+)?$/;

/** Why the expression is not a usable NCRONTAB schedule, or undefined when it is one. */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `has ${fields.length} field(s); the Functions timer needs six, seconds first: {second} {minute} {hour} {day} {month} {day-of-week}, e.g. "0 */5 * * * *"`;
  }
  for (const [index, field] of fields.entries()) {
    const name = FIELDS[index];
    for (const item of field.split(',')) {
      const match = ITEM.exec(item);
      if (!match) return `${name} field "${field}" is not NCRONTAB (use numbers, names, *, ranges a-b, lists a,b and steps /n)`;
      const names = [match[1], match[3]].filter((part): part is string => part !== undefined && /^[A-Za-z]/.test(part));
      const allowed = name === 'month' ? MONTH_NAMES : name === 'day-of-week' ? DAY_NAMES : [];
      const unknown = names.find((n) => !allowed.includes(n.toUpperCase()));
      if (unknown !== undefined) return `${name} field "${field}": "${unknown}" is not a ${allowed.length ? `${name} name (${allowed.join(', ')})` : 'number'}`;
      if (name === 'day-of-week' && [match[1], match[3]].some((part) => part === '7')) return 'day-of-week runs 0-6 (Sunday is 0)';
    }
  }
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), { timezone: 'UTC', mode: '6-part', paused: true });
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
  const next = cron.nextRun(new Date(Date.UTC(2000, 0, 1)));
  cron.stop();
  return next ? undefined : 'never fires (no date matches it)';
}
