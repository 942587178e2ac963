// The runtime image, built here with podman from what the registries serve (no base image) and
// run as a user would run it: `podman run IMAGE gateway --config /config`, non-root, read-only
// root filesystem, every capability dropped. The OpenAI SDK calls the containerised gateway,
// which calls an OpenAI-compatible upstream with a key the container read from its environment.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { ensureTestImage, podmanWorks, privatePodman, type BuiltImage, type Podman } from '../src/image/index.js';
import { findFreePorts } from '../src/free-port.js';
import { REPO_ROOT } from './helm-chart-support.js';
import { eventually } from './support/json-path.js';

const available = await podmanWorks();
if (!available.ok) console.warn(`SKIPPED image tests: ${available.reason}`);
const describeWhenPossible = available.ok ? describe : describe.skip;

const UPSTREAM_KEY = 'sk-upstream-image-test-0000';
const DEMO_KEY = 'sk-sy-demo0000000000000000000000000000';
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An OpenAI-compatible upstream on loopback that records the digest of the key it was sent. */
function startUpstream(): Promise<{ server: Server; port: number; keyDigests: string[] }> {
  const keyDigests: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      keyDigests.push(sha256((req.headers.authorization ?? '').replace(/^Bearer /, '')));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-image-test',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'unknown',
          choices: [{ index: 0, message: { role: 'assistant', content: 'answered from behind the container' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, keyDigests })),
  );
}

describeWhenPossible('the runtime image (podman, runc, no registry)', () => {
  let podman: Podman;
  let image: BuiltImage;
  const containers: string[] = [];
  let dir: string;

  beforeAll(async () => {
    podman = privatePodman();
    image = await ensureTestImage(podman, REPO_ROOT);
    console.log(
      `image ${image.reference}: ${(image.sizeBytes / 1048576).toFixed(1)} MiB uncompressed, ${image.builtNow ? `built in ${image.elapsedMs} ms` : 'reused'}`,
    );
    dir = mkdtempSync(join(tmpdir(), 'sy-image-'));
    chmodSync(dir, 0o755);
  }, 900_000);

  afterAll(async () => {
    if (containers.length > 0) await podman.run(['rm', '--force', '--time', '0', ...containers]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is configured as documented: non-root numeric user, the switchyard entrypoint, its version label', async () => {
    const config = JSON.parse(await podman.ok(['image', 'inspect', '--format', '{{json .Config}}', image.reference])) as {
      User: string;
      Entrypoint: string[];
      Labels: Record<string, string>;
      Env: string[];
    };
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', '/app/bin/switchyard.mjs']);
    expect(config.Labels['org.opencontainers.image.version']).toBe(VERSION);
    expect(config.Labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(config.Env).toContain('NODE_ENV=production');
    // `podman run IMAGE --version`: the version from /app/package.json, the image's own Node.
    const version = await podman.ok(['run', '--rm', '--network', 'none', '--read-only', image.reference, '--version']);
    expect(version.trim()).toMatch(new RegExp(`^switchyard ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.`));
  });

  it('holds no shell and no package manager, only Node, its libraries, certificates and /app', async () => {
    const shell = await podman.run(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image.reference, '-c', 'true']);
    expect(shell.code).not.toBe(0);
    expect(shell.stderr).toMatch(/no such file or directory/);
    // Node itself lists the root filesystem (the image has no ls).
    const listing = await podman.ok([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/nodejs/bin/node',
      image.reference,
      '-e',
      `const fs=require('fs');const walk=(d)=>fs.readdirSync(d,{withFileTypes:true}).flatMap(e=>e.isDirectory()&&!['app','proc','sys','dev'].includes(e.name)&&d+e.name!=='/usr/share/doc'?walk(d+e.name+'/'):[d+e.name]);console.log(JSON.stringify(walk('/')))`,
    ]);
    const paths = JSON.parse(listing) as string[];
    expect(paths.filter((path) => /\/(sh|bash|dash|apt|apt-get|dpkg|npm|npx|busybox)$/.test(path))).toEqual([]);
    expect(paths).toContain('/nodejs/bin/node');
    expect(paths).toContain('/etc/ssl/certs/ca-certificates.crt');
    expect(paths.some((path) => path.startsWith('/var/lib/dpkg/status.d/libc6'))).toBe(true);
  });

  it('serves a mounted configuration as uid 10001 on a read-only root filesystem, and the OpenAI SDK gets an answer', async () => {
    const upstream = await startUpstream();
    try {
      const config = join(dir, 'config');
      mkdirSync(config, { mode: 0o755 });
      writeFileSync(join(config, 'demo-key.yaml'), readFileSync(join(REPO_ROOT, 'examples', 'standalone', 'demo-key.yaml')), {
        mode: 0o644,
      });
      writeFileSync(
        join(config, 'upstream.yaml'),
        [
          'apiVersion: v1',
          'kind: Secret',
          'metadata: {name: upstream}',
          'stringData: {apiKey: "${UPSTREAM_API_KEY}"}',
          '---',
          'apiVersion: switchyard.dev/v1alpha1',
          'kind: ModelRoute',
          'metadata: {name: gpt-4o}',
          'spec:',
          '  model: gpt-4o',
          '  backends:',
          '  - name: upstream',
          '    provider: openai',
          '    model: gpt-4o-2024-08-06',
          `    baseURL: http://127.0.0.1:${upstream.port}/v1`,
          '    credentials: [{secretRef: {name: upstream, key: apiKey}}]',
          '',
        ].join('\n'),
        { mode: 0o644 },
      );
      const [port, adminPort] = (await findFreePorts(2)) as [number, number];
      const name = `sy-image-test-${process.pid}`;
      containers.push(name);
      // --network host on 127.0.0.1 only: the container shares the test's loopback, no bridge.
      await podman.ok(
        [
          'run',
          '--detach',
          '--name',
          name,
          '--network',
          'host',
          '--cgroup-parent',
          podman.cgroupParent,
          '--read-only',
          '--read-only-tmpfs=false',
          '--cap-drop',
          'all',
          '--security-opt',
          'no-new-privileges',
          '--env',
          'UPSTREAM_API_KEY',
          '--volume',
          `${config}:/config:ro`,
          image.reference,
          'gateway',
          '--config',
          '/config',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--admin-port',
          String(adminPort),
          '--deny-upstream-cidrs',
          '',
        ],
        { env: { UPSTREAM_API_KEY: UPSTREAM_KEY } },
      );
      await eventually('the containerised gateway ready', 30_000, async () => {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return ready?.ok ? true : undefined;
      });

      const client = new OpenAI({ apiKey: DEMO_KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0, timeout: 15_000 });
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
      expect(completion.choices[0]?.message.content).toBe('answered from behind the container');
      expect(upstream.keyDigests).toEqual([sha256(UPSTREAM_KEY)]);

      // The process really runs as 10001 with no capabilities and cannot write its own code.
      const pid = (await podman.ok(['inspect', '--format', '{{.State.Pid}}', name])).trim();
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      const write = await podman.run(['exec', name, '/nodejs/bin/node', '-e', "require('fs').writeFileSync('/app/evil.js', '1')"]);
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/EROFS|read-only file system/i);
      // The key never reaches the container's logs.
      const logs = await podman.ok(['logs', name]);
      expect(logs).not.toContain(UPSTREAM_KEY);
      expect(logs).not.toContain(DEMO_KEY);

      // SIGTERM (podman stop) drains and exits 0 within the grace period.
      await podman.ok(['stop', '--time', '20', name]);
      const exit = (await podman.ok(['inspect', '--format', '{{.State.ExitCode}}', name])).trim();
      expect(exit).toBe('0');
    } finally {
      upstream.server.close();
    }
  }, 120_000);
});
