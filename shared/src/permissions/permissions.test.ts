import { describe, expect, it } from 'vitest';
import { Action, OrgRole, Role, can } from './index.js';

const everyAction = Object.values(Action);

describe('can', () => {
  it('lets owners and moderators do everything in their discussion', () => {
    for (const role of [Role.Owner, Role.Moderator])
      for (const action of everyAction) expect(can(role, action)).toBe(true);
  });

  it('lets members read, write and pin, but not rename, manage members or delete others messages', () => {
    expect(can(Role.Member, Action.Read)).toBe(true);
    expect(can(Role.Member, Action.Write)).toBe(true);
    expect(can(Role.Member, Action.Pin)).toBe(true);
    expect(can(Role.Member, Action.Rename)).toBe(false);
    expect(can(Role.Member, Action.ManageMembers)).toBe(false);
    expect(can(Role.Member, Action.DeleteOthersMessages)).toBe(false);
    expect(can(Role.Member, Action.Archive)).toBe(false);
  });

  it('lets readers only read', () => {
    expect(everyAction.filter((action) => can(Role.Reader, action))).toEqual([Action.Read]);
  });

  it('gives a non-member nothing, not even reading', () => {
    for (const action of everyAction) expect(can(null, action)).toBe(false);
  });

  it('lets an organisation admin rename, archive and manage members of any group, but not read or write in it', () => {
    expect(everyAction.filter((action) => can(null, action, OrgRole.Admin)).sort()).toEqual(
      [Action.Archive, Action.ManageMembers, Action.Rename].sort(),
    );
    expect(can(Role.Reader, Action.Rename, OrgRole.Admin)).toBe(true);
    expect(can(Role.Reader, Action.Write, OrgRole.Admin)).toBe(false);
  });
});
