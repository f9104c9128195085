package labs

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/phi"
)

// BenchmarkReportDecode is what decoding one opened report costs, whole (a
// results page) and as the dashboard widget decodes it (brief), for a panel
// of 12 observations: go test -run '^$' -bench ReportDecode -benchmem
// ./internal/labs
func BenchmarkReportDecode(b *testing.B) {
	d := Details{Panel: "Comprehensive metabolic panel", CollectedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	for i := range 12 {
		hi := 5.6
		d.Observations = append(d.Observations, Observation{ID: fmt.Sprintf("01a207a7-b0c0-7e52-b038-e622704bba%02d", i), LOINC: "4548-4",
			Name: "Hemoglobin A1c", Value: 5.0 + float64(i)/3, Unit: "%", Range: Range{High: &hi}, Flag: High})
	}
	body, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			var r Report
			if err := phi.DecodeJSON(body, &r.Details); err != nil || r.Worst() != High {
				b.Fatal(err)
			}
		}
	})
	b.Run("brief", func(b *testing.B) {
		for b.Loop() {
			var r brief
			if err := phi.DecodeJSON(body, &r); err != nil || r.worst() != High || r.Panel != d.Panel {
				b.Fatal(err)
			}
		}
	})
}
