{{- define "sub.greet" -}}
greet:{{ .Chart.Name }}
{{- end -}}
{{- define "constructs.name" -}}
sub-overridden
{{- end -}}
