// The caller's kubeconfig, read the way kubectl reads it: --kubeconfig, else $KUBECONFIG (a
// colon-separated list, merged), else ~/.kube/config, else the in-cluster ServiceAccount.
// @kubernetes/client-node does the reading and the credentials (token, token file, client
// certificate and key, exec plugins, certificate-authority file or data); this module adds
// --context, the namespace and clear errors when there is nothing to read.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../kube/kube-client.js';
import { PluginError } from './plugin-error.js';

export interface KubeContextOptions {
  kubeconfig: string | undefined;
  context: string | undefined;
  namespace: string | undefined;
  requestTimeoutMs: number;
}

export interface KubeContext {
  client: KubeClient;
  /** The namespace commands act in: -n, else the context's, else "default". */
  namespace: string;
  server: string;
  contextName: string;
}

export function openKubeContext(options: KubeContextOptions, env: NodeJS.ProcessEnv = process.env): KubeContext {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) {
      if (!existsSync(options.kubeconfig)) throw new PluginError(`--kubeconfig ${options.kubeconfig}: no such file`);
      config.loadFromFile(options.kubeconfig);
    } else if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') {
      const files = env.KUBECONFIG.split(delimiter).filter((file) => file !== '' && existsSync(file));
      if (files.length === 0) throw new PluginError(`$KUBECONFIG names no existing file (${env.KUBECONFIG})`);
      // kubectl's rule: merged in order, the first file to set a value wins (its current-context too).
      config.loadFromFile(files[0] as string);
      for (const next of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(next);
        config.mergeConfig(more, true);
      }
    } else if (existsSync(join(env.HOME ?? homedir(), '.kube', 'config'))) {
      config.loadFromFile(join(env.HOME ?? homedir(), '.kube', 'config'));
    } else if (env.KUBERNETES_SERVICE_HOST !== undefined) {
      config.loadFromCluster();
    } else {
      // client-node would fall back to http://localhost:8080 and fail later with a confusing error.
      throw new PluginError('no kubeconfig: pass --kubeconfig, set $KUBECONFIG, or create ~/.kube/config');
    }
  } catch (error) {
    if (error instanceof PluginError) throw error;
    throw new PluginError(`cannot read the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.context !== undefined) {
    if (!config.getContexts().some((c) => c.name === options.context))
      throw new PluginError(`--context ${options.context}: the kubeconfig has no such context`);
    config.setCurrentContext(options.context);
  }
  const contextName = config.getCurrentContext();
  if (!contextName && options.kubeconfig !== undefined) throw new PluginError('the kubeconfig has no current-context; pass --context');
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new PluginError(`the kubeconfig's context "${contextName}" names no cluster`);
  const namespace = options.namespace ?? config.getContextObject(contextName)?.namespace ?? 'default';
  const client = new KubeClient({ kubeConfig: config, requestTimeoutMs: options.requestTimeoutMs, userAgent: 'kubectl-switchyard' });
  return { client, namespace, server: client.server, contextName };
}
