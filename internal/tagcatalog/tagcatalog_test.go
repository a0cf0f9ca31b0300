package tagcatalog

import "testing"

func TestCatalogSizes(t *testing.T) {
	if got := len(Prefect()); got != 13512 {
		t.Errorf("Prefect() has %d tags, want 13512", got)
	}
	if got := len(PrefectClient()); got != 2912 {
		t.Errorf("PrefectClient() has %d tags, want 2912", got)
	}
	for _, tag := range Prefect() {
		if tag == "" {
			t.Fatal("Prefect() holds an empty tag")
		}
	}
}
