// allowedModels globs know one wildcard, `*`, matching any run of characters (slashes too).
// The table keeps the regular-expression source; gateways compile it once per table load.

const REGEXP_SPECIALS = /[.+?^${}()|[\]\\/-]/g;

/** An anchored regular-expression source for a glob where `*` is the only wildcard. */
export function globToRegExpSource(glob: string): string {
  const body = glob
    .split('*')
    .map((literal) => literal.replace(REGEXP_SPECIALS, '\\$&'))
    .join('.*');
  return `^${body}$`;
}

/** Whether a model name matches a glob (for compile-time checks; the hot path uses the compiled source). */
export function globMatches(glob: string, name: string): boolean {
  return new RegExp(globToRegExpSource(glob)).test(name);
}
