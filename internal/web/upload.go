package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/apperr"
)

// Upload is a multipart form with at most one file: its text fields and
// the file's bytes.
type Upload struct {
	Form *Form
	File []byte
	// TooLarge is set when the file went over the limit (its bytes were not
	// all read, File is empty).
	TooLarge bool
	// Sniffed is http.DetectContentType of the file (the WHATWG sniffing
	// algorithm), for the domain's own check by magic numbers to agree with.
	Sniffed string
}

// uploadRoom is what the form around the file may add to the body.
const uploadRoom = 64 << 10

// ReadUpload reads a multipart form of small text fields and one file part
// (fileField) of at most maxFile bytes; fields not named are skipped. A body
// past the limit is a TooLarge upload, not a broken connection, so the page
// can say "at most 10 MB". A form that cannot be read is an Invalid error.
//
// Why the parts are read into memory and not with ParseMultipartForm: that
// spills large files to temporary files on disk, where a patient's file
// would sit unencrypted; here it goes from the request to the vault.
func ReadUpload(w http.ResponseWriter, r *http.Request, fileField string, maxFile int64, fields ...string) (*Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFile+uploadRoom)
	up := &Upload{Form: &Form{Values: url.Values{}}}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return up, uploadErr(up, err)
		}
		name := part.FormName()
		switch {
		case name == fileField:
			data, err := io.ReadAll(io.LimitReader(part, maxFile+1))
			if err != nil {
				return up, uploadErr(up, err)
			}
			if int64(len(data)) > maxFile {
				up.TooLarge = true
				continue
			}
			up.File = data
			if len(data) > 0 {
				up.Sniffed = http.DetectContentType(data)
			}
		case contains(fields, name):
			b, err := io.ReadAll(io.LimitReader(part, 32<<10))
			if err != nil {
				return up, uploadErr(up, err)
			}
			up.Form.Values.Add(name, string(b))
		}
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// uploadErr makes a body over the limit a TooLarge upload.
func uploadErr(up *Upload, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		up.TooLarge, up.File = true, nil
		return nil
	}
	return apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
}
