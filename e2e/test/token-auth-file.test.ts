import { describe, expect, it } from '@jest/globals';
import { renderTokenAuthFile } from '../src/token-auth-file.js';

describe('renderTokenAuthFile', () => {
  it('writes token,user,uid and quotes the group list', () => {
    expect(
      renderTokenAuthFile([
        { token: 'abc', username: 'admin', uid: 'admin-uid', groups: ['system:masters'] },
        { token: 'def', username: 'system:kube-controller-manager', uid: 'kcm', groups: [] },
        { token: 'ghi', username: 'multi', uid: 'm', groups: ['a', 'b'] },
      ]),
    ).toBe('abc,admin,admin-uid,"system:masters"\ndef,system:kube-controller-manager,kcm\nghi,multi,m,"a,b"\n');
  });

  it.each([
    ['a comma in the token', { token: 'a,b', username: 'u', uid: 'i', groups: [] }, /token/],
    ['an empty user name', { token: 't', username: '', uid: 'i', groups: [] }, /username/],
    ['a quote in a group', { token: 't', username: 'u', uid: 'i', groups: ['x"y'] }, /group/],
  ])('rejects %s', (_name, user, message) => {
    expect(() => renderTokenAuthFile([user])).toThrow(message);
  });
});
