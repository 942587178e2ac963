// The reference MCP server (@modelcontextprotocol/server-everything) as a child process over
// streamable HTTP. It listens on every address of the root namespace, so the test hosts reach it
// on the bridge address.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'));

export function startServerEverything(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server-everything did not start: ${output.slice(-2000)}`));
    }, 20_000);
    const read = (chunk: Buffer): void => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
      if (output.includes(`listening on port ${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${String(code)}: ${output.slice(-2000)}`));
    });
  });
}
