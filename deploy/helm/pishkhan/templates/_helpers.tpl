{{/* Names and labels. */}}
{{- define "pishkhan.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pishkhan.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pishkhan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pishkhan.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pishkhan.labels" -}}
{{ include "pishkhan.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "pishkhan.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "pishkhan.secret" -}}
{{- required "existingSecret: name the Secret holding SECRET_KEY, DATABASE_URL, REDIS_URL (the chart creates none)" .Values.existingSecret -}}
{{- end -}}

{{/*
The environment every Pishkhan container shares: the chart's settings, then
the operator's non-secret env (a secret-looking name is refused). Secrets
come only from envFrom (existingSecret).
*/}}
{{- define "pishkhan.env" -}}
- name: ADDR
  value: "0.0.0.0:8080"
- name: DATA_DIR
  value: /data
- name: PUBLIC_URL
  value: {{ required "publicURL: the panel's address as users reach it, e.g. https://admin.example.com" .Values.publicURL | quote }}
{{- if .Values.tls.secretName }}
- name: TLS_CERT_FILE
  value: /etc/pishkhan/tls/tls.crt
- name: TLS_KEY_FILE
  value: /etc/pishkhan/tls/tls.key
{{- end }}
{{- range $name, $value := .Values.env }}
{{- if regexMatch "(?i)(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL|SMTP_URL|DSN)" $name }}
{{- fail (printf "env.%s looks like a secret: put it in the Secret named by existingSecret" $name) }}
{{- end }}
{{- if has $name (list "ADDR" "DATA_DIR" "PUBLIC_URL" "JOB_WORKERS") }}
{{- fail (printf "env.%s is set by the chart" $name) }}
{{- end }}
{{- if has $name (list "TLS_CERT_FILE" "TLS_KEY_FILE") }}
{{- fail (printf "env.%s is set by the chart: name a kubernetes.io/tls Secret in tls.secretName" $name) }}
{{- end }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{- define "pishkhan.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "pishkhan.securityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The pod-level fields every Pishkhan pod shares. */}}
{{- define "pishkhan.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
securityContext:
  {{- include "pishkhan.podSecurityContext" . | nindent 2 }}
volumes:
  - name: data
    emptyDir:
      sizeLimit: {{ .Values.volumes.dataSizeLimit }}
  - name: tmp
    emptyDir:
      sizeLimit: {{ .Values.volumes.tmpSizeLimit }}
{{- with .Values.tls.secretName }}
  - name: tls
    secret:
      secretName: {{ . }}
{{- end }}
{{- end -}}

{{- define "pishkhan.volumeMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- if .Values.tls.secretName }}
- name: tls
  mountPath: /etc/pishkhan/tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The scheme the server answers on: HTTPS when it terminates TLS. */}}
{{- define "pishkhan.scheme" -}}
{{- if .Values.tls.secretName }}HTTPS{{ else }}HTTP{{ end }}
{{- end -}}
