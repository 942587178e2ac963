// `${NAME}` in a Secret's stringData takes the value of an environment variable, so standalone
// manifests can live in git without the keys. `$${` stands for a literal `${`.

const REFERENCE = /\$(\$)?\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EnvExpansionError extends Error {}

/** Expands every `${NAME}`; throws EnvExpansionError naming the variable that is unset or empty. */
export function expandEnvReferences(text: string, env: Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (escaped) return whole.slice(1);
    if (!NAME.test(name)) {
      throw new EnvExpansionError(`invalid environment variable reference \${${name}}: names are letters, digits and '_'`);
    }
    const value = env[name];
    if (value === undefined || value === '') {
      throw new EnvExpansionError(`environment variable ${name} is not set`);
    }
    return value;
  });
}
