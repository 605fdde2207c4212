{{- define "shared" }}from _b{{ end -}}
{{- define "empty-later" }} {{ end -}}
