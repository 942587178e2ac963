{{/* Names ------------------------------------------------------------------------------- */}}

{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource-name prefix; component names append "-operator" / "-gateway", so keep room for them. */}}
{{- define "switchyard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.operator.fullname" -}}
{{- printf "%s-operator" (include "switchyard.fullname" .) -}}
{{- end -}}

{{- define "switchyard.gateway.fullname" -}}
{{- printf "%s-gateway" (include "switchyard.fullname" .) -}}
{{- end -}}

{{/* The headless Service that lists gateway pods' admin ports for Prometheus (never the public Service). */}}
{{- define "switchyard.gateway.metricsServiceName" -}}
{{- printf "%s-metrics" (include "switchyard.gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "switchyard.operator.serviceAccountName" -}}
{{- default (include "switchyard.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "switchyard.gateway.serviceAccountName" -}}
{{- default (include "switchyard.gateway.fullname" .) .Values.gateway.serviceAccount.name -}}
{{- end -}}

{{- define "switchyard.operator.leaseName" -}}
{{- default (include "switchyard.operator.fullname" .) .Values.operator.leaderElection.leaseName -}}
{{- end -}}

{{- define "switchyard.tls.secretName" -}}
{{- default (printf "%s-operator-tls" (include "switchyard.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "switchyard.mcpSession.secretName" -}}
{{- default (printf "%s-mcp-session" (include "switchyard.fullname" .)) .Values.mcp.sessionSecret.existingSecret -}}
{{- end -}}

{{- define "switchyard.mcpSession.secretKey" -}}
{{- if .Values.mcp.sessionSecret.existingSecret -}}{{ .Values.mcp.sessionSecret.key }}{{- else -}}secret{{- end -}}
{{- end -}}

{{- define "switchyard.mcpOAuth.secretName" -}}
{{- default (printf "%s-mcp-oauth-key" (include "switchyard.fullname" .)) .Values.mcp.oauth.keySecret.existingSecret -}}
{{- end -}}

{{- define "switchyard.mcpOAuth.secretKey" -}}
{{- if .Values.mcp.oauth.keySecret.existingSecret -}}{{ .Values.mcp.oauth.keySecret.key }}{{- else -}}key{{- end -}}
{{- end -}}

{{- define "switchyard.redis.secretName" -}}
{{- if .Values.redis.existingSecret.name -}}
{{- .Values.redis.existingSecret.name -}}
{{- else -}}
{{- printf "%s-redis" (include "switchyard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.redis.secretKey" -}}
{{- if .Values.redis.existingSecret.name -}}
{{- .Values.redis.existingSecret.key -}}
{{- else -}}
url
{{- end -}}
{{- end -}}

{{- define "switchyard.redis.enabled" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret.name -}}true{{- end -}}
{{- end -}}

{{/* Namespaces whose ModelRoutes every key may use; the release namespace by default. */}}
{{- define "switchyard.sharedNamespaces" -}}
{{- $list := .Values.operator.sharedNamespaces | default (list .Release.Namespace) -}}
{{- toJson (uniq $list) -}}
{{- end -}}

{{/* The operator Service's DNS names, which its serving certificate must cover. */}}
{{- define "switchyard.operator.dnsNames" -}}
{{- $svc := include "switchyard.operator.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- toJson (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain)) -}}
{{- end -}}

{{- define "switchyard.controlPlaneURL" -}}
{{- printf "https://%s.%s.svc:%d" (include "switchyard.operator.fullname" .) .Release.Namespace (int .Values.operator.port) -}}
{{- end -}}

{{/* Labels ------------------------------------------------------------------------------ */}}

{{- define "switchyard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchyard
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "switchyard.operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "switchyard.gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "switchyard.operator.labels" -}}
{{ include "switchyard.labels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "switchyard.gateway.labels" -}}
{{ include "switchyard.labels" . }}
app.kubernetes.io/component: gateway
{{- end -}}

{{/* Image -------------------------------------------------------------------------------- */}}

{{- define "switchyard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* TLS ---------------------------------------------------------------------------------- */}}

{{/*
The operator's serving certificate and its CA, as a dict of base64 strings (ca.crt, tls.crt,
tls.key). Generated once: when the chart's Secret already exists (lookup: helm upgrade, or
helm template --dry-run=server), its contents are reused, so an upgrade never rotates the CA
under running gateways. Cached in .Values for the rest of the render so that the Secret and
the pods' checksum annotations see the same material.
*/}}
{{- define "switchyard.tls.material" -}}
{{- if not (hasKey .Values "__switchyardTLS") -}}
{{- $material := dict -}}
{{- $secretName := include "switchyard.tls.secretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName -}}
{{- if .Values.tls.existingSecret -}}
{{- /* User-managed: nothing to generate; the checksum follows the Secret's data when visible. */ -}}
{{- if $existing -}}
{{- $_ := set $material "checksumSource" (toJson ($existing.data | default dict)) -}}
{{- else -}}
{{- $_ := set $material "checksumSource" $secretName -}}
{{- end -}}
{{- else if and $existing $existing.data (index $existing.data "ca.crt") (index $existing.data "tls.crt") (index $existing.data "tls.key") -}}
{{- $_ := set $material "ca.crt" (index $existing.data "ca.crt") -}}
{{- $_ := set $material "tls.crt" (index $existing.data "tls.crt") -}}
{{- $_ := set $material "tls.key" (index $existing.data "tls.key") -}}
{{- else -}}
{{- $days := int .Values.tls.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "switchyard.fullname" .)) $days -}}
{{- $dnsNames := include "switchyard.operator.dnsNames" . | fromJsonArray -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" (include "switchyard.operator.fullname" .) .Release.Namespace) nil $dnsNames $days $ca -}}
{{- $_ := set $material "ca.crt" ($ca.Cert | b64enc) -}}
{{- $_ := set $material "tls.crt" ($cert.Cert | b64enc) -}}
{{- $_ := set $material "tls.key" ($cert.Key | b64enc) -}}
{{- end -}}
{{- if not (hasKey $material "checksumSource") -}}
{{- $_ := set $material "checksumSource" (printf "%s\n%s" (index $material "ca.crt") (index $material "tls.crt")) -}}
{{- end -}}
{{- $_ := set .Values "__switchyardTLS" $material -}}
{{- end -}}
{{- toJson (index .Values "__switchyardTLS") -}}
{{- end -}}

{{- define "switchyard.tls.checksum" -}}
{{- (include "switchyard.tls.material" . | fromJson).checksumSource | sha256sum -}}
{{- end -}}

{{/* The Redis URL's checksum rolls gateways when it changes (an existing Secret is read when visible). */}}
{{- define "switchyard.redis.checksum" -}}
{{- if .Values.redis.existingSecret.name -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace .Values.redis.existingSecret.name -}}
{{- if $existing -}}
{{- index ($existing.data | default dict) .Values.redis.existingSecret.key | default "" | sha256sum -}}
{{- else -}}
{{- printf "%s/%s" .Values.redis.existingSecret.name .Values.redis.existingSecret.key | sha256sum -}}
{{- end -}}
{{- else -}}
{{- .Values.redis.url | sha256sum -}}
{{- end -}}
{{- end -}}

{{/* The console's port: the one in console.listen (host:port, IPv6 as [addr]:port). */}}
{{- define "switchyard.console.port" -}}
{{- .Values.console.listen | splitList ":" | last -}}
{{- end -}}
