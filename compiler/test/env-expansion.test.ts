import { describe, expect, it } from '@jest/globals';
import { ConfigError, expandEnvReferences, parseManifestFiles } from '../src/index.js';

describe('expandEnvReferences', () => {
  const env = { OPENAI_API_KEY: 'sk-abc', REGION: 'eu', EMPTY: '' };
  it.each([
    ['${OPENAI_API_KEY}', 'sk-abc'],
    ['prefix-${REGION}-suffix', 'prefix-eu-suffix'],
    ['${REGION}${REGION}', 'eueu'],
    ['no references', 'no references'],
    ['$REGION stays', '$REGION stays'],
    ['$${REGION} is literal', '${REGION} is literal'],
  ])('%s -> %s', (text, expected) => {
    expect(expandEnvReferences(text, env)).toBe(expected);
  });

  it.each([
    ['${MISSING}', 'environment variable MISSING is not set'],
    ['${EMPTY}', 'environment variable EMPTY is not set'],
    ['${not valid}', "invalid environment variable reference ${not valid}: names are letters, digits and '_'"],
  ])('%s fails: %s', (text, message) => {
    expect(() => expandEnvReferences(text, env)).toThrow(message);
  });
});

describe('Secret stringData expansion', () => {
  const file = (text: string) => [{ path: 'secrets.yaml', text }];
  const secretYaml = 'apiVersion: v1\nkind: Secret\nmetadata: {name: openai}\nstringData:\n  apiKey: ${OPENAI_API_KEY}\n';

  it('expands from the given env and stores base64 data', () => {
    const parsed = parseManifestFiles(file(secretYaml), { env: { OPENAI_API_KEY: 'sk-live-1' } });
    expect(parsed.secrets[0]?.data).toEqual({ apiKey: Buffer.from('sk-live-1').toString('base64') });
    expect(parsed.secrets[0]?.stringData).toBeUndefined();
  });

  it('names the file, Secret, entry and variable when the variable is missing', () => {
    let error: unknown;
    try {
      parseManifestFiles(file(secretYaml), { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'secrets.yaml: Secret default/openai: stringData.apiKey: environment variable OPENAI_API_KEY is not set',
    );
  });

  it('does not expand data (base64 is taken as is)', () => {
    const encoded = Buffer.from('${X}').toString('base64');
    const parsed = parseManifestFiles(file(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: ${encoded}\n`), { env: {} });
    expect(parsed.secrets[0]?.data).toEqual({ k: encoded });
  });
});
