package {{ package }}

import (
	"strings"

	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
)

// rawMethod maps a method token to the WIT method variant; tokens are case-sensitive.
func rawMethod(m string) raw.Method {
	switch m {
{%- for (token, ctor) in methods.fixed %}
	case "{{ token }}":
		return raw.{{ ctor }}()
{%- endfor %}
	}
	return raw.{{ methods.other }}(m)
}

// rawScheme maps a URL scheme to the WIT scheme variant; schemes are case-insensitive.
func rawScheme(s string) raw.Scheme {
	switch strings.ToLower(s) {
{%- for (token, ctor) in schemes.fixed %}
	case "{{ token }}":
		return raw.{{ ctor }}()
{%- endfor %}
	}
	return raw.{{ schemes.other }}(s)
}

// methodString reads a WIT method variant back as its token.
func methodString(m raw.Method) string {
	switch m.Tag() {
{%- for (token, tag) in methods.tags %}
	case raw.{{ tag }}:
		return "{{ token }}"
{%- endfor %}
	}
	return m.{{ methods.other_getter }}()
}

// schemeString reads a WIT scheme variant back as its token.
func schemeString(s raw.Scheme) string {
	switch s.Tag() {
{%- for (token, tag) in schemes.tags %}
	case raw.{{ tag }}:
		return "{{ token }}"
{%- endfor %}
	}
	return s.{{ schemes.other_getter }}()
}
