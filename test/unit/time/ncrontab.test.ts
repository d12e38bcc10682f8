import { ncrontabProblem } from '../../../src/time/ncrontab';

describe('NCRONTAB schedules (EXPORT_SCHEDULE)', () => {
  it.each(['0 */5 * * * *', '0 0 2 * * *', '30 15 9-17/2 * JAN-MAR mon-fri', '0 0 0 29 2 *', '0,30 * * * * 0,6', ' 0 */5 * * * * '])('accepts %j', (expression) => {
    expect(ncrontabProblem(expression)).toBeUndefined();
  });

  it.each([
    ['*/5 * * * *', /has 5 field\(s\).*six/],
    ['0 0 0 * * * *', /has 7 field/],
    ['0 61 * * * *', /minute: 61/],
    ['0 0 25 * * *', /hour: 25/],
    ['0 0 0 31 2 *', /never fires/],
    ['0 0 12 ? * MON', /day field "\?" is not NCRONTAB/],
    ['0 0 0 L * *', /day field "L" is not NCRONTAB/],
    ['0 0 MON * * *', /hour field "MON": "MON" is not a number/],
    ['0 0 0 1W * *', /day field "1W" is not NCRONTAB/],
    ['0 0 0 * * 5#2', /day-of-week field "5#2" is not NCRONTAB/],
    ['0 0 0 * * 7', /Sunday is 0/],
    ['0 0 0 * FOO *', /"FOO" is not a month name/],
    ['0 0 0 * * MON-FUN', /"FUN" is not a day-of-week name/],
    ['a b c d e f', /second field "a" is not NCRONTAB/],
  ])('refuses %j', (expression, message) => {
    expect(ncrontabProblem(expression)).toMatch(message);
  });
});
