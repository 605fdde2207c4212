{{- define "shared" }}from _a{{ end -}}
{{- define "empty-later" }}real{{ end -}}
