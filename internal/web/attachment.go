package web

import (
	"net/http"
	"strconv"
	"strings"
)

// ServeAttachment writes a patient's file (a message's attachment) whose
// type was decided from its bytes when it was taken.
//
// Why these headers: the type is the one decided from the bytes, and
// nosniff keeps the browser to it; no-store keeps the file out of every
// cache; "attachment" with a fixed name, so that the file is saved rather
// than shown in the site's origin and the sender's file name (which may say
// something) never comes back; a sandbox CSP in case a browser shows it
// anyway.
func ServeAttachment(w http.ResponseWriter, contentType string, data []byte) error {
	ext := "bin"
	if _, sub, ok := strings.Cut(contentType, "/"); ok {
		ext = map[string]string{"jpeg": "jpg"}[sub]
		if ext == "" {
			ext = sub
		}
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", `attachment; filename="attachment.`+ext+`"`)
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	// Not XSS: the bytes are an image or a PDF (checked by content when it
	// was taken), served as that type with nosniff, as a download, under a
	// sandbox CSP.
	_, err := w.Write(data) //nolint:gosec // see above
	return err
}
