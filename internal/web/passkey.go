package web

// PasskeyDone is what the passkey script (static/js/passkey.js) receives when
// a ceremony it ran succeeded: where the browser goes next. Signing in with a
// passkey (web/login) and adding one (web/portal) answer with it.
type PasskeyDone struct {
	Redirect string `json:"redirect"`
}
