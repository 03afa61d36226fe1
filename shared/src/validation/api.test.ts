import { describe, expect, it } from 'vitest';
import { CreateDiscussionInput, CreateUserInput, LIMITS, LoginInput } from './api.js';

const ID = 'abcdefgh12345678';

describe('LoginInput', () => {
  it('accepts a username and a password, trimming the username', () => {
    expect(LoginInput.parse({ username: '  claire.martin ', password: 'secret' })).toEqual({
      username: 'claire.martin',
      password: 'secret',
    });
  });

  it('refuses a missing or empty field and a password past the limit', () => {
    expect(LoginInput.safeParse({ username: 'claire' }).success).toBe(false);
    expect(LoginInput.safeParse({ username: '   ', password: 'x' }).success).toBe(false);
    expect(LoginInput.safeParse({ username: 'claire', password: '' }).success).toBe(false);
    expect(
      LoginInput.safeParse({ username: 'claire', password: 'x'.repeat(LIMITS.passwordMax + 1) }).success,
    ).toBe(false);
  });
});

describe('CreateDiscussionInput', () => {
  it('accepts one or more colleague ids with an optional or null title', () => {
    expect(CreateDiscussionInput.parse({ memberIds: [ID] })).toEqual({ memberIds: [ID] });
    expect(
      CreateDiscussionInput.parse({ memberIds: [ID, 'zyxwvuts98765432'], title: ' Équipe ' }).title,
    ).toBe('Équipe');
    expect(CreateDiscussionInput.safeParse({ memberIds: [ID], title: null }).success).toBe(true);
  });

  it('refuses no colleague, ids that are not ids, and a title past the limit', () => {
    expect(CreateDiscussionInput.safeParse({ memberIds: [] }).success).toBe(false);
    expect(CreateDiscussionInput.safeParse({ memberIds: ID }).success).toBe(false);
    expect(CreateDiscussionInput.safeParse({ memberIds: ['../etc/passwd'] }).success).toBe(false);
    expect(CreateDiscussionInput.safeParse({ memberIds: ['ABCDEFGH12345678'] }).success).toBe(false);
    expect(
      CreateDiscussionInput.safeParse({ memberIds: [ID], title: 'x'.repeat(LIMITS.titleMax + 1) }).success,
    ).toBe(false);
  });
});

describe('CreateUserInput', () => {
  it('accepts a new colleague and normalises the username to lower case', () => {
    expect(
      CreateUserInput.parse({
        username: ' Claire.Martin ',
        displayName: ' Claire Martin ',
        password: 'longenough',
      }),
    ).toEqual({ username: 'claire.martin', displayName: 'Claire Martin', password: 'longenough' });
    expect(
      CreateUserInput.parse({ username: 'admin2', displayName: 'A', password: 'longenough', role: 'admin' })
        .role,
    ).toBe('admin');
  });

  it('refuses a username with spaces or accents, a short password and an unknown role', () => {
    const base = { username: 'claire', displayName: 'Claire', password: 'longenough' };
    expect(CreateUserInput.safeParse({ ...base, username: 'claire martin' }).success).toBe(false);
    expect(CreateUserInput.safeParse({ ...base, username: 'élodie' }).success).toBe(false);
    expect(CreateUserInput.safeParse({ ...base, username: 'c' }).success).toBe(false);
    expect(CreateUserInput.safeParse({ ...base, password: 'short' }).success).toBe(false);
    expect(CreateUserInput.safeParse({ ...base, role: 'owner' }).success).toBe(false);
    expect(CreateUserInput.safeParse({ ...base, displayName: '  ' }).success).toBe(false);
  });
});
