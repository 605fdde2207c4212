{{/* Helpers of the constructs chart. */}}
{{- define "constructs.name" -}}
{{ .Chart.Name }}-{{ .Values.name }}
{{- end }}

{{- define "constructs.labels" }}
app: {{ include "constructs.name" . }}
release: {{ .Release.Name }}
{{- end }}

{{- define "constructs.twice" -}}
{{ . }}{{ . }}
{{- end -}}

{{- define "constructs.template" -}}
template={{ .Template.Name }} base={{ .Template.BasePath }}
{{- end -}}

{{- define "constructs.setter" -}}
{{- $_ := set . "touched" "yes" -}}
{{- end -}}

{{- define "constructs.recurse" -}}
{{- if gt (len .) 0 -}}{{ index . 0 }}{{ include "constructs.recurse" (rest .) }}{{- end -}}
{{- end -}}
