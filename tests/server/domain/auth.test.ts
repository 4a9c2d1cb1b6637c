import { describe, expect, test } from 'vitest';
import {
  AUDIT_MIN_RETENTION_DAYS, LOGIN_THROTTLE, THROTTLE, allKeys, auditPurgeBefore, backoffSeconds, loginThrottle, checkRoles, checkUsername, forgetBefore, maskName,
  maskPhone, needsTouch, passwordProblems, retryAfterSeconds, sessionEndsAt, sessionExpiresAt, sessionStatus, throttleKeys,
  usernameKey,
} from '../../../server/domain/auth.js';
import { errorOf } from '../../helpers/errors.js';

const T0 = new Date('2026-11-23T10:00:00+08:00');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('masking', () => {
  test('a mobile number keeps its first three and last four digits', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('138-1234-1234')).toBe('138****1234');
  });
  test('a Chinese name keeps its first character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
  });
  test('nothing to mask stays as it is', () => {
    expect(maskPhone(null)).toBeNull();
    expect(maskName('')).toBe('');
  });
});

describe('login backoff', () => {
  test('five failures of a pair are free, then the wait doubles up to 300 s', () => {
    expect([0, 1, 4].map((n) => backoffSeconds(n))).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11, 13, 14, 50].map((n) => backoffSeconds(n))).toEqual([1, 2, 4, 8, 16, 32, 64, 256, 300, 300]);
  });

  test('Retry-After counts down from the last failure and rounds up', () => {
    const s = { failures: 7, last_failed_at: T0 }; // waits 4 s
    expect(retryAfterSeconds(s, T0)).toBe(4);
    expect(retryAfterSeconds(s, at(1.5))).toBe(3);
    expect(retryAfterSeconds(s, at(3.9))).toBe(1);
    expect(retryAfterSeconds(s, at(4))).toBe(0);
  });

  test('under the allowance, with no record, or long forgotten, nobody waits', () => {
    expect(retryAfterSeconds({ failures: 4, last_failed_at: T0 }, T0)).toBe(0);
    expect(retryAfterSeconds(null, T0)).toBe(0);
    expect(retryAfterSeconds({ failures: 40, last_failed_at: T0 }, at(THROTTLE.forget_after_minutes * 60))).toBe(0);
  });

  test('counters are forgotten after the window', () => {
    expect(forgetBefore(T0).getTime()).toBe(T0.getTime() - THROTTLE.forget_after_minutes * 60_000);
  });

  test('attempts are counted per username (any case), per address, and per (address, username) pair', () => {
    expect(throttleKeys(' Inspector1 ', '10.0.0.7')).toEqual({ account: 'user:inspector1', address: 'ip:10.0.0.7', pair: 'pair:["10.0.0.7","inspector1"]' });
    expect(allKeys(throttleKeys('a', null))).toEqual(['user:a']);
    // a typed username cannot forge another kind of key, or another pair
    const forged = throttleKeys('crew1","10.9.9.9', '10.0.0.7');
    expect([forged.account, forged.pair]).not.toContain(throttleKeys('crew1', '10.9.9.9').pair);
  });

  const k = throttleKeys('crew1', '10.0.0.7');
  const states = (entries: [string, number][], at = T0) => new Map(entries.map(([key, failures]) => [key, { failures, last_failed_at: at }]));

  test('the pair and the address refuse (Retry-After); the account only slows, never refuses', () => {
    expect(loginThrottle(states([]), k, T0)).toEqual({ refuse_s: 0, refused_by: null, delay_s: 0 });
    expect(loginThrottle(states([[k.pair!, 5]]), k, T0)).toEqual({ refuse_s: 1, refused_by: 'pair', delay_s: 0 });
    expect(loginThrottle(states([[k.address!, 19]]), k, T0).refuse_s).toBe(0);
    expect(loginThrottle(states([[k.address!, 22]]), k, T0)).toEqual({ refuse_s: 4, refused_by: 'address', delay_s: 0 });
    expect(loginThrottle(states([[k.account, 49]]), k, T0).delay_s).toBe(0);
    expect(loginThrottle(states([[k.account, 50]]), k, T0)).toEqual({ refuse_s: 0, refused_by: null, delay_s: 1 });
    expect(loginThrottle(states([[k.account, 5000]]), k, T0)).toEqual({ refuse_s: 0, refused_by: null, delay_s: LOGIN_THROTTLE.account.max_seconds });
    // forgotten after the window, like the others
    expect(loginThrottle(states([[k.account, 5000]]), k, at(LOGIN_THROTTLE.account.forget_after_minutes * 60)).delay_s).toBe(0);
    // another address is another pair and another address: nothing of the attacker's counts there
    expect(loginThrottle(states([[k.pair!, 50], [k.address!, 50], [k.account, 50]]), throttleKeys('crew1', '10.0.0.8'), T0))
      .toEqual({ refuse_s: 0, refused_by: null, delay_s: 1 });
  });
});

describe('sessions', () => {
  const s = { created_at: T0, last_seen_at: T0, expires_at: sessionExpiresAt(T0, 7) };

  test('a session lives seven days at most', () => {
    expect(s.expires_at.toISOString()).toBe('2026-11-30T02:00:00.000Z');
  });
  test('a session unused for the idle timeout ends', () => {
    expect(sessionStatus(s, at(479 * 60), 480)).toBe('active');
    expect(sessionStatus(s, at(480 * 60), 480)).toBe('idle');
  });
  test('a session used all along still ends at its lifetime', () => {
    const used = { ...s, last_seen_at: at(7 * 86_400 - 60) };
    expect(sessionStatus(used, at(7 * 86_400), 480)).toBe('expired');
  });
  test('it ends at the earlier of idle timeout and lifetime', () => {
    expect(sessionEndsAt(s, 480)).toEqual(at(480 * 60));
    expect(sessionEndsAt({ ...s, last_seen_at: at(7 * 86_400 - 60) }, 480)).toEqual(s.expires_at);
  });
  test('last_seen_at is rewritten at most once a minute', () => {
    expect(needsTouch(T0, at(59))).toBe(false);
    expect(needsTouch(T0, at(60))).toBe(true);
  });
});

describe('accounts', () => {
  test('roles are checked against the list, and a crew needs a department', () => {
    expect(checkRoles(['inspector', 'leader'], null)).toEqual(['inspector', 'leader']);
    expect(errorOf(() => checkRoles(['mayor'], null))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => checkRoles(['public'], null))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => checkRoles([], null))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => checkRoles(['department'], null))).toMatchObject({ code: 'bad_request' });
    expect(checkRoles(['department'], 15)).toEqual(['department']);
  });
  test('usernames are trimmed, limited in alphabet, and compared without case', () => {
    expect(checkUsername('  crew.2 ')).toBe('crew.2');
    expect(errorOf(() => checkUsername('no spaces'))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => checkUsername('-dash'))).toMatchObject({ code: 'bad_request' });
    expect(usernameKey(' Admin ')).toBe('admin');
  });
  test('the password policy wants length, not composition', () => {
    expect(passwordProblems('correct horse battery', 'alice')).toEqual([]);
    expect(passwordProblems('demo', 'alice')).toEqual(['at least 12 characters']);
    expect(passwordProblems('xx-alice-2026-xx', 'Alice')).toEqual(['must not contain the username']);
    expect(passwordProblems('password1234', 'bob')).toEqual(['is a well-known password']);
    expect(passwordProblems('a long passphrase', 'a')).toEqual([]); // a short username is not searched for
    expect(passwordProblems('aaaaaaaaaaaaaaa', 'bob')).toEqual(['must not be one character repeated']);
  });
});

describe('audit retention', () => {
  test('a purge removes only what is older than the retention', () => {
    expect(auditPurgeBefore(T0, 200).getTime()).toBe(T0.getTime() - 200 * 86_400_000);
  });
  test('a retention under 184 days is refused', () => {
    expect(AUDIT_MIN_RETENTION_DAYS).toBe(184);
    expect(errorOf(() => auditPurgeBefore(T0, 183))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => auditPurgeBefore(T0, 190.5))).toMatchObject({ code: 'bad_request' });
  });
});
