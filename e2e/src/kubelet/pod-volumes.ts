// Writes a Pod's volumes into a host directory, as the kubelet would mount them: Secrets and
// ConfigMaps (all keys or the listed items), projected volumes (ServiceAccount token minted
// with a TokenRequest bound to the Pod, Secret, ConfigMap and downward-API items), emptyDirs.
// Modes and ownership follow the kubelet's: files get the volume's defaultMode (0644 unless
// set), and with a Pod fsGroup everything is group-owned by it, so a non-root container reads
// its Secrets through the group; an emptyDir is writable by everyone (0777).
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fieldRefValue } from './container-spec.js';
import type { KubeApi } from './kube-api.js';
import type { KeyToPath, Pod, ProjectionSource } from './pod-types.js';
import { jsonPath } from '../json-path.js';

export interface MountedVolumes {
  /** Volume name -> host directory. */
  hostDirs: Map<string, string>;
  /** Tokens for the API server's own audience (automounted ServiceAccount credentials), by volume. */
  apiTokens: Map<string, string>;
}

export async function materializeVolumes(api: KubeApi, pod: Pod, podIP: string, root: string): Promise<MountedVolumes> {
  const fsGroup = pod.spec.securityContext?.fsGroup;
  const namespace = pod.metadata.namespace ?? 'default';
  const hostDirs = new Map<string, string>();
  const apiTokens = new Map<string, string>();
  for (const volume of pod.spec.volumes ?? []) {
    const dir = join(root, volume.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    hostDirs.set(volume.name, dir);
    if (volume.secret) {
      await writeKeys(
        dir,
        await secretData(api, namespace, volume.secret.secretName, volume.secret.optional),
        volume.secret.items,
        `Secret ${volume.secret.secretName}`,
      );
    } else if (volume.configMap) {
      await writeKeys(
        dir,
        await configMapData(api, namespace, volume.configMap.name, volume.configMap.optional),
        volume.configMap.items,
        `ConfigMap ${volume.configMap.name}`,
      );
    } else if (volume.projected) {
      for (const source of volume.projected.sources) {
        const token = await writeProjection(api, pod, podIP, dir, source);
        if (token !== undefined) apiTokens.set(volume.name, token);
      }
    } else if (!volume.emptyDir) {
      throw new Error(
        `volume ${volume.name} of pod ${namespace}/${pod.metadata.name}: only secret, configMap, projected and emptyDir are supported`,
      );
    }
    if (volume.emptyDir) setOwnership(dir, { dirMode: 0o777, fileMode: 0o666, fsGroup });
    else {
      const defaultMode = volume.secret?.defaultMode ?? volume.configMap?.defaultMode ?? volume.projected?.defaultMode ?? 0o644;
      setOwnership(dir, { dirMode: 0o755, fileMode: defaultMode, fsGroup });
    }
  }
  return { hostDirs, apiTokens };
}

/** Returns the token when it is for the API server itself (no audience), for a kubeconfig. */
async function writeProjection(api: KubeApi, pod: Pod, podIP: string, dir: string, source: ProjectionSource): Promise<string | undefined> {
  const namespace = pod.metadata.namespace ?? 'default';
  if (source.serviceAccountToken) {
    const spec = source.serviceAccountToken;
    const token = await requestToken(api, pod, spec.audience, spec.expirationSeconds ?? 3600);
    writeFile(join(dir, spec.path), token);
    return spec.audience === undefined || spec.audience === '' ? token : undefined;
  }
  if (source.secret)
    await writeKeys(
      dir,
      await secretData(api, namespace, source.secret.name, source.secret.optional),
      source.secret.items,
      `Secret ${source.secret.name}`,
    );
  if (source.configMap)
    await writeKeys(
      dir,
      await configMapData(api, namespace, source.configMap.name, source.configMap.optional),
      source.configMap.items,
      `ConfigMap ${source.configMap.name}`,
    );
  for (const item of source.downwardAPI?.items ?? []) {
    if (item.fieldRef) writeFile(join(dir, item.path), fieldRefValue(pod, item.fieldRef.fieldPath, podIP));
  }
  return undefined;
}

/** TokenRequest, bound to the Pod like the kubelet's: the token dies with the Pod. */
async function requestToken(api: KubeApi, pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const account = pod.spec.serviceAccountName ?? 'default';
  const res = await api.call('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      ...(audience ? { audiences: [audience] } : {}),
      expirationSeconds,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
    },
  });
  const token = jsonPath(res.json, 'status', 'token');
  if (res.status !== 201 || typeof token !== 'string')
    throw new Error(`TokenRequest for ${namespace}/${account} failed: ${res.status} ${res.body.slice(0, 300)}`);
  return token;
}

async function secretData(
  api: KubeApi,
  namespace: string,
  name: string,
  optional: boolean | undefined,
): Promise<Record<string, Buffer> | undefined> {
  const res = await api.call('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
  if (res.status === 404 && optional) return undefined;
  if (res.status !== 200) throw new Error(`Secret ${namespace}/${name}: ${res.status}`);
  const data = (jsonPath(res.json, 'data') ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
}

async function configMapData(
  api: KubeApi,
  namespace: string,
  name: string,
  optional: boolean | undefined,
): Promise<Record<string, Buffer> | undefined> {
  const res = await api.call('GET', `/api/v1/namespaces/${namespace}/configmaps/${name}`);
  if (res.status === 404 && optional) return undefined;
  if (res.status !== 200) throw new Error(`ConfigMap ${namespace}/${name}: ${res.status}`);
  const data = (jsonPath(res.json, 'data') ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'utf8')]));
}

async function writeKeys(
  dir: string,
  data: Record<string, Buffer> | undefined,
  items: KeyToPath[] | undefined,
  what: string,
): Promise<void> {
  if (data === undefined) return;
  const wanted = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of wanted) {
    const value = data[item.key];
    if (value === undefined) throw new Error(`${what} has no key ${item.key}`);
    writeFile(join(dir, item.path), value);
  }
}

/** Modes (and the fsGroup group) on a volume directory and everything in it. */
function setOwnership(dir: string, how: { dirMode: number; fileMode: number; fsGroup: number | undefined }): void {
  const apply = (path: string, mode: number): void => {
    if (how.fsGroup !== undefined) chownSync(path, 0, how.fsGroup);
    chmodSync(path, mode);
  };
  apply(dir, how.dirMode);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    apply(path, entry.isDirectory() ? how.dirMode : how.fileMode);
  }
}

function writeFile(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
