package httpx

import (
	"net/http"
	"net/url"
	"strings"
)

// AllowFormAction lets the page being answered submit a form that ends in a
// redirect to target: the OAuth consent page, whose answer sends the
// browser to the app's registered redirect URI (browsers apply form-action
// to the redirects after a submission as well). Only target's origin (or,
// for an app's own scheme, the scheme) is added to 'self'; the rest of the
// CSP stays as it is. A target that does not parse into a plain source
// changes nothing (the redirect is then blocked, never the policy widened).
func AllowFormAction(w http.ResponseWriter, target string) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || strings.ContainsAny(target, " ;,'\"\r\n") {
		return
	}
	src := u.Scheme + ":"
	if u.Host != "" {
		src = u.Scheme + "://" + u.Host
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(headerCSP[0], "form-action 'self'", "form-action 'self' "+src, 1))
}
