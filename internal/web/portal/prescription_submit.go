package portal

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// MaxPrescriptionBody is the route's transport bound for an upload: the
// file limit with room for an over-large file to be read far enough to be
// told so, rather than cut off at the socket.
const MaxPrescriptionBody = 2 * rx.MaxUpload

// formRoom is what the form around the file may add to the body.
const formRoom = 64 << 10

// submitPrescription takes a prescription: POST /account/prescriptions
// (multipart: "file", or "prescriber" and "phone"). The file is checked by
// its content, not its name (rx.Sniff, and http.DetectContentType must
// agree), and may be at most 10 MB (http.MaxBytesReader on the body); bad
// input shows the page again with the error and stores nothing.
//
// Why the parts are read into memory and not with ParseMultipartForm: that
// spills large files to temporary files on disk, where a prescription would
// sit unencrypted; here it goes from the request straight to the vault.
func (h *Handlers) submitPrescription(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, rx.MaxUpload+formRoom)
	f := &web.Form{Values: url.Values{}}
	var sub rx.Submission
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.prescriptionsPage(w, r, status, f)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(apperr.InvalidFields("Choose a file to upload.", map[string]string{"file": "Upload a JPEG or PNG photo, or a PDF."}))
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(tooLargeOr(err))
		}
		switch part.FormName() {
		case "file":
			data, err := io.ReadAll(io.LimitReader(part, rx.MaxUpload+1))
			if err != nil {
				return fail(tooLargeOr(err))
			}
			if len(data) > rx.MaxUpload {
				sub.TooLarge = true
			}
			// Why both: Sniff knows the three types by their magic numbers;
			// DetectContentType (the WHATWG sniffing algorithm) must see the
			// same, so a file built to fool one check does not pass.
			if len(data) > 0 && !sub.TooLarge && http.DetectContentType(data) != rx.Sniff(data) {
				return fail(apperr.InvalidFields("That file is not a prescription we can read.",
					map[string]string{"file": "Upload a JPEG or PNG photo, or a PDF."}))
			}
			sub.File = data
		case "prescriber", "phone":
			v, err := readField(part)
			if err != nil {
				return fail(tooLargeOr(err))
			}
			f.Values.Set(part.FormName(), v)
		}
	}
	sub.PrescriberName, sub.PrescriberPhone = f.Value("prescriber"), f.Value("phone")
	if len(sub.File) > 0 || sub.TooLarge {
		sub.PrescriberName, sub.PrescriberPhone = "", ""
	}
	t := tenant.FromContext(r.Context())
	p, err := h.rx.Submit(r.Context(), t.ID, sess.UserID, sub)
	if err != nil {
		return fail(err)
	}
	done := "uploaded"
	if p.Source == rx.SourcePrescriber {
		done = "requested"
	}
	http.Redirect(w, r, "/account/prescriptions?done="+done, http.StatusSeeOther)
	return nil
}

// readField reads a small text part of the form.
func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 4<<10))
	return string(b), err
}

// tooLargeOr makes a body over the limit the field error it is.
func tooLargeOr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.InvalidFields("The file is too large.", map[string]string{"file": "Upload a file of at most 10 MB."})
	}
	return apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
}
