// Backend credentials from a file (`credentials: [{file: {path}}]`), as a Vault or Secrets Store
// CSI driver mounts them: the gateway process reads the file, notices rotations (an in-place
// rewrite, and the drivers' atomic swap of the `..data` symlink) and sends the new value on new
// requests within seconds, without a restart, while a request already under way finishes on the
// old one. The upstream accepts only the key currently issued, like a provider after a rotation.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, HELLO, keyObjects, openAIClient, postJson, routeObject, testKey, errorOf } from './core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';

const key = testKey('filecredentials');
const ROTATION_DEADLINE_MS = 15_000;

/** The layout the CSI drivers write: `<dir>/<name>` -> `..data/<name>`, `..data` -> a timestamped directory. */
async function csiVolume(root: string, name: string, value: string): Promise<{ path: string; rotate(value: string): Promise<void> }> {
  let generation = 0;
  const writeGeneration = async (content: string): Promise<string> => {
    generation += 1;
    const dir = `..2026_12_07_${generation}`;
    await mkdir(join(root, dir));
    await writeFile(join(root, dir, name), content);
    return dir;
  };
  await mkdir(root, { recursive: true });
  await symlink(await writeGeneration(value), join(root, '..data'));
  await symlink(join('..data', name), join(root, name));
  return {
    path: join(root, name),
    async rotate(next) {
      // As the drivers do it: a new directory, a new symlink beside the old, renamed over it.
      const dir = await writeGeneration(next);
      await symlink(dir, join(root, '..data_tmp'));
      await rename(join(root, '..data_tmp'), join(root, '..data'));
    },
  };
}

describe('backend credentials from files', () => {
  let gateway: GatewayProcess;
  let upstream: MockHttpServer;
  let root: string;
  let csi: Awaited<ReturnType<typeof csiVolume>>;
  let plainPath: string;
  let missingPath: string;
  /** The one key the upstream accepts right now; anything else is a 401, as after a real rotation. */
  let issued = new Set(['sk-csi-one', 'sk-plain-one', 'sk-late-one']);
  let holdMs = 0;
  let received: () => void = () => {};

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchyard-filecred-'));
    csi = await csiVolume(join(root, 'vault', 'openai'), 'key', 'sk-csi-one\n');
    plainPath = join(root, 'plain-key');
    await writeFile(plainPath, 'sk-plain-one');
    missingPath = join(root, 'late', 'key');
    upstream = await startMockHttpServer(async (request, res) => {
      const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      res.setHeader('content-type', 'application/json');
      if (!issued.has(bearer)) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }),
        );
        return;
      }
      received();
      if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      res.end(
        JSON.stringify({
          id: 'chatcmpl-file',
          object: 'chat.completion',
          created: 1,
          model: 'upstream',
          choices: [{ index: 0, message: { role: 'assistant', content: `used ${bearer}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    });
    const backend = (name: string, path: string): Record<string, unknown> => ({
      name,
      provider: 'openai',
      model: 'gpt-upstream',
      baseURL: `${upstream.url}/v1`,
      credentials: [{ file: { path } }],
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'caller', key }),
          routeObject({ name: 'csi', backends: [backend('csi-backend', csi.path)], retry: { attempts: 1 } }),
          routeObject({ name: 'plain', backends: [backend('plain-backend', plainPath)], retry: { attempts: 1 } }),
          routeObject({ name: 'late', backends: [backend('late-backend', missingPath)], retry: { attempts: 1 } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function answer(model: string): Promise<string> {
    const completion = await openAIClient(gateway, key).chat.completions.create({ model, messages: HELLO });
    return completion.choices[0]?.message.content ?? '';
  }

  /** Asks until the answer says `expected` was sent, for at most ROTATION_DEADLINE_MS. */
  async function eventuallyUses(model: string, expected: string): Promise<void> {
    const deadline = Date.now() + ROTATION_DEADLINE_MS;
    let last = '';
    while (Date.now() < deadline) {
      try {
        last = await answer(model);
        if (last === `used ${expected}`) return;
      } catch (error) {
        last = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`model ${model} still answers "${last}" ${ROTATION_DEADLINE_MS} ms after the rotation to ${expected}`);
  }

  it('sends the file content (trimmed) as the API key', async () => {
    expect(await answer('csi')).toBe('used sk-csi-one');
    expect(await answer('plain')).toBe('used sk-plain-one');
  });

  it('follows an atomic ..data symlink swap without a restart', async () => {
    issued = new Set(['sk-csi-two', 'sk-plain-one']);
    await csi.rotate('sk-csi-two\n');
    await eventuallyUses('csi', 'sk-csi-two');
  });

  it('follows an in-place rewrite', async () => {
    issued = new Set(['sk-csi-two', 'sk-plain-two']);
    await writeFile(plainPath, 'sk-plain-two');
    await eventuallyUses('plain', 'sk-plain-two');
  });

  it('lets a request in flight finish on the old value while new requests use the new one', async () => {
    // The upstream holds the answer; the rotation happens while the request waits for it.
    holdMs = 1_500;
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const inFlight = answer('csi');
    await arrived;
    received = () => {};
    holdMs = 0;
    issued = new Set(['sk-csi-two', 'sk-csi-three', 'sk-plain-two']);
    await csi.rotate('sk-csi-three');
    await eventuallyUses('csi', 'sk-csi-three');
    expect(await inFlight).toBe('used sk-csi-two');
  });

  it('fails attempts naming the path while the file does not exist, and uses it once it appears', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'late', messages: HELLO });
    expect(response.status).toBe(502);
    expect(errorOf(response.json).message).toContain(missingPath);
    issued = new Set(['sk-late-one']);
    await mkdir(join(root, 'late'));
    await writeFile(missingPath, 'sk-late-one');
    await eventuallyUses('late', 'sk-late-one');
  });

  it('never logs a credential value', () => {
    expect(gateway.logs()).not.toMatch(/sk-(csi|plain|late)-/);
    expect(gateway.logs()).toContain('credential file reloaded');
  });
});
