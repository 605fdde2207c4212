{{- define "both" }}from parent{{ end -}}
