import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when killed by a signal or not started. */
  code: number;
}

/** Runs a command to completion, feeding `input` on stdin; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    let startError: string | undefined;
    child.once('error', (error) => {
      startError = `${command}: ${error.message}`;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (startError ? `\n${startError}` : ''),
        code: code ?? -1,
      });
    });
    child.stdin.on('error', () => {
      // The command may exit without reading stdin; its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
  });
}
