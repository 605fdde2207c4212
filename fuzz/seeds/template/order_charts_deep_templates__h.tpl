{{- define "deep.only" }}deep-only{{ end -}}
{{- define "both" }}from deep{{ end -}}
{{- define "shared" }}from deep{{ end -}}
