export interface StaticTokenUser {
  token: string;
  username: string;
  uid: string;
  groups: string[];
}

/**
 * Renders kube-apiserver's --token-auth-file: CSV lines `token,user,uid,"group1,group2"`.
 * Rejects values that would break the CSV rather than quoting them.
 */
export function renderTokenAuthFile(users: StaticTokenUser[]): string {
  return users
    .map((user) => {
      for (const [field, value] of Object.entries({ token: user.token, username: user.username, uid: user.uid })) {
        if (value === '' || /[",\s]/.test(value))
          throw new Error(`token auth file: ${field} must be non-empty without commas, quotes or spaces`);
      }
      for (const group of user.groups) {
        if (/[",\s]/.test(group)) throw new Error(`token auth file: group '${group}' must not contain commas, quotes or spaces`);
      }
      const columns = [user.token, user.username, user.uid];
      if (user.groups.length > 0) columns.push(`"${user.groups.join(',')}"`);
      return columns.join(',');
    })
    .join('\n')
    .concat('\n');
}
