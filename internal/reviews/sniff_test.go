package reviews

import "testing"

// TestSniffFileByContent: an evidence file's type comes from its content,
// never its name: executables (ELF, PE), scripts and markup are refused
// whatever they are called; PDF, PNG, JPEG, CSV and plain text are kept.
func TestSniffFileByContent(t *testing.T) {
	cases := []struct {
		name string
		data string
		want FileType
		ok   bool
	}{
		{"report.pdf", "%PDF-1.7\n...", FilePDF, true},
		{"shot.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FilePNG, true},
		{"photo.jpg", "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", FileJPEG, true},
		{"register.csv", "account,role\nab12,admin\n", FileCSV, true},
		{"notes.txt", "Restored into scratch stores; chain verified.\n", FileText, true},
		{"drill.pdf", "\x7fELF\x02\x01\x01\x00\x00\x00", "", false},
		{"drill.pdf", "MZ\x90\x00\x03\x00\x00\x00\x04\x00", "", false},
		{"notes.txt", "#!/bin/sh\nrm -rf /\n", "", false},
		{"notes.txt", "  <!DOCTYPE html><script>alert(1)</script>", "", false},
		{"chart.csv", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "", false},
		{"bad.txt", "caf\xe9", "", false},
	}
	for _, c := range cases {
		got, ok := SniffFile(Attachment{Name: c.name, Data: []byte(c.data)})
		if got != c.want || ok != c.ok {
			t.Errorf("%s %q: %q %v, want %q %v", c.name, c.data[:min(len(c.data), 12)], got, ok, c.want, c.ok)
		}
	}
}
