// The README's quickstart runs as written: the OpenAI SDK snippet, saved under the file name the
// README gives it, in a fresh project folder (a package.json of its own, without "type": "module",
// as `npm init` writes it), answers from examples/standalone/. Only the port differs: the
// gateway here listens on an ephemeral one instead of 8080.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { repoRoot } from '../support/repo-paths.js';

const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const README_URL = 'http://127.0.0.1:8080';

/** The README's first ```js block: its code and the file name its first line gives (`// hello.mjs`). */
function sdkSnippet(): { fileName: string | undefined; code: string } {
  const match = /```js\n([\s\S]*?)```/.exec(README);
  if (!match) throw new Error('README.md has no ```js block');
  const code = match[1] as string;
  const fileName = /^\/\/ ([\w.-]+\.(?:mjs|cjs|js))\n/.exec(code)?.[1];
  return { fileName, code };
}

function runNode(file: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('README quickstart', () => {
  let gateway: GatewayProcess;
  // Inside the repository, so the snippet's `import 'openai'` finds the root node_modules as it
  // does for a reader running it from a checkout.
  const project = mkdtempSync(join(repoRoot, 'gateway', 'dist', '.readme-quickstart-'));

  beforeAll(async () => {
    const dir = join(repoRoot, 'examples', 'standalone');
    const manifests = Object.fromEntries(
      readdirSync(dir)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
    );
    gateway = await startGateway({ manifests });
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('names the SDK snippet an ES module file, since it uses import and top-level await', () => {
    const { fileName, code } = sdkSnippet();
    expect(code).toMatch(/^import /m);
    expect(code).toMatch(/\bawait\b/);
    expect(fileName).toMatch(/\.mjs$/);
    expect(README).toContain(`node ${fileName}`);
  });

  it('the SDK snippet prints the mock answer', async () => {
    const { fileName, code } = sdkSnippet();
    expect(code).toContain(README_URL);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'readme-quickstart', version: '1.0.0' })}\n`);
    writeFileSync(join(project, fileName ?? 'snippet.js'), code.replaceAll(README_URL, gateway.url));
    const result = await runNode(fileName ?? 'snippet.js', project);
    if (result.code !== 0) throw new Error(`the README snippet failed (${result.code}):\n${result.stderr}`);
    expect(result.stdout).toContain("role: 'assistant'");
    expect(result.stdout).toMatch(/content: '.+'/);
  }, 30_000);
});
