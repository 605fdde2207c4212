{{- define "edge.dollar" -}}
dot={{ . }} dollar={{ $ }}
{{- end -}}
{{- define "edge.block" -}}override {{ . }}{{- end -}}
{{- define "edge.walk" -}}
{{- if . -}}{{ index . 0 }},{{ template "edge.walk" (rest .) }}{{- end -}}
{{- end -}}
{{- define "edge.indented" }}
a: 1
b:
  c: 2
{{- end }}
