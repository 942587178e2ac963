// Entry of `kubectl switchyard` (bin/kubectl-switchyard.mjs) and of `switchyard keys|spend|status|try`
// (bin/switchyard.mjs): parse, open the caller's kubeconfig, run one command, exit 0, 1 (the
// request failed) or 2 (the command line was wrong). Data goes to stdout, notes to stderr.
import { openKubeContext, type KubeContext } from './kube-context.js';
import type { CommandOutput } from './output.js';
import { runKeys } from './keys-command.js';
import { parsePluginFlags, pluginUsage, type PluginFlags } from './plugin-flags.js';
import { PluginError } from './plugin-error.js';
import { runSpend } from './spend-command.js';
import { runStatus } from './status-command.js';
import { runTry } from './try-command.js';

const STDIO: CommandOutput = {
  write: (text) => process.stdout.write(text),
  error: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs one plugin command; `program` is how the usage names it ("kubectl switchyard" or
 * "switchyard"). Sets process.exitCode rather than exiting, so output is flushed first.
 */
export async function main(args: string[], program = 'kubectl switchyard'): Promise<void> {
  let ctx: KubeContext | undefined;
  try {
    const flags = parsePluginFlags(args);
    if (flags.help || flags.command === '') {
      process.stdout.write(pluginUsage(program));
      return;
    }
    // try --server-url --key reaches a gateway without any kubeconfig (a laptop's port-forward).
    const needsKube = !(flags.command === 'try' && flags.serverUrl !== undefined && flags.keyFromSecret === undefined);
    if (needsKube)
      ctx = openKubeContext({
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        namespace: flags.namespace,
        requestTimeoutMs: flags.timeoutMs,
      });
    await run(ctx, flags);
  } catch (error) {
    if (!(error instanceof PluginError)) throw error;
    process.stderr.write(`${program}: ${error.message}\n`);
    if (error.exitCode === 2) process.stderr.write(`Run "${program} --help" for the commands and options.\n`);
    process.exitCode = error.exitCode;
  } finally {
    ctx?.client.close();
  }
}

async function run(ctx: KubeContext | undefined, flags: PluginFlags): Promise<void> {
  if (flags.command === 'try') return runTry(ctx, flags, STDIO);
  if (ctx === undefined) throw new PluginError('no kubeconfig');
  if (flags.command.startsWith('keys ')) return runKeys(ctx, flags, STDIO);
  if (flags.command === 'spend') return runSpend(ctx, flags, STDIO);
  if (flags.command === 'status') return runStatus(ctx, flags, STDIO);
  throw new PluginError(`unknown command "${flags.command}"`, 2);
}
