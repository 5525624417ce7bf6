package provider

import (
	"encoding/json"
	"testing"
)

// reportFigure logs figures of a reliability scenario (faults survived,
// objects held, requests made, secrets searched) on one line that
// tools/measure/reliability collects from `go test -json` into RELIABILITY.md. The
// figures come from what the test measured, so the report cannot drift from
// the run. Pass key, value pairs.
func reportFigure(t *testing.T, keyValues ...any) {
	t.Helper()
	if len(keyValues)%2 != 0 {
		t.Fatalf("reportFigure needs key, value pairs, got %d values", len(keyValues))
	}
	figures := make(map[string]any, len(keyValues)/2)
	for i := 0; i < len(keyValues); i += 2 {
		key, ok := keyValues[i].(string)
		if !ok {
			t.Fatalf("reportFigure: key %v is not a string", keyValues[i])
		}
		figures[key] = keyValues[i+1]
	}
	line, err := json.Marshal(struct {
		Test    string         `json:"test"`
		Figures map[string]any `json:"figures"`
	}{t.Name(), figures})
	if err != nil {
		t.Fatalf("reportFigure: %s", err)
	}
	t.Logf("RELIABILITY %s", line)
}
