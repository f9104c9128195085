package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// responseData is one sent form with its answers.
type responseData struct {
	R     *forms.Answered
	Lines []answerLine
}

// answerLine is a question with its answer in words.
type answerLine struct {
	Label, Answer string
}

// answerText is an answer in words, for a page.
func answerText(f forms.Field, a forms.Answer) string {
	switch f.Type {
	case forms.Multi:
		s := ""
		for i, v := range a.Values {
			if i > 0 {
				s += ", "
			}
			s += v
		}
		return s
	case forms.YesNo:
		if a.Value == "yes" {
			return "Yes"
		}
		return "No"
	case forms.File:
		return a.FileName + " (" + strconv.Itoa(len(a.FileData)/1024+1) + " KB)"
	case forms.Signature:
		return "Signed by " + a.SignName + " on " + a.SignDate
	}
	return a.Value
}

// showResponse renders GET /account/forms/responses/{id}: one of the
// patient's own sent forms, against the version of the form it answered.
func (h *Forms) showResponse(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	a, err := h.forms.Response(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := responseData{R: a}
	for _, f := range a.Form.Fields {
		ans, ok := a.Answers[f.Key]
		text := "Not answered"
		if ok {
			text = answerText(f, ans)
		}
		d.Lines = append(d.Lines, answerLine{Label: f.Label, Answer: text})
	}
	return h.render(w, r, h.pages.response, http.StatusOK, a.Form.Title, d)
}
