// The slice of the core/v1 Pod shape the kubelet stand-in reads. Field names are the API's.

interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  resourceVersion?: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface HttpGetProbe {
  httpGet?: { path?: string; port: number | string; scheme?: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string; localhostProfile?: string };
}

interface PodSecurityContext extends Pick<SecurityContext, 'runAsUser' | 'runAsGroup' | 'runAsNonRoot' | 'seccompProfile'> {
  fsGroup?: number;
  supplementalGroups?: number[];
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  readinessProbe?: HttpGetProbe;
  livenessProbe?: HttpGetProbe;
  securityContext?: SecurityContext;
  resources?: { limits?: { cpu?: string; memory?: string } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}

export interface KeyToPath {
  key: string;
  path: string;
}

export interface ProjectionSource {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: { path: string; fieldRef?: { fieldPath: string } }[] };
}

interface Volume {
  name: string;
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  projected?: { sources: ProjectionSource[]; defaultMode?: number };
  emptyDir?: Record<string, unknown>;
}

export interface Pod {
  metadata: ObjectMeta;
  spec: {
    nodeName?: string;
    serviceAccountName?: string;
    terminationGracePeriodSeconds?: number;
    restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    securityContext?: PodSecurityContext;
    containers: Container[];
    volumes?: Volume[];
  };
  status?: { phase?: string; podIP?: string };
}
