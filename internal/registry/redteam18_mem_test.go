package registry

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkRedteam18TagPagesMemory reads an endless linked tag list of
// 16 MiB pages (maxBodySize) to the listing's 64 MiB bound: of one name,
// "a", repeated (the most names 64 MiB holds), and of distinct 20-byte
// names (Prefect's are 16 to 30). It reports the heap the Client still
// holds after the failed listing (the pages it read stay in its page cache
// for its life, one Terraform run) and the heap obtained from the system
// (about the peak). Run with -benchtime=1x; not part of make test.
func BenchmarkRedteam18TagPagesMemory(b *testing.B) {
	for name, tag := range map[string]func(int) string{
		"one-character": func(int) string { return "a" },
		"distinct-20":   func(i int) string { return fmt.Sprintf("3.%07d-python3.12", i) },
	} {
		b.Run(name, func(b *testing.B) {
			var body bytes.Buffer
			body.WriteString(`{"tags":[`)
			for i := 0; body.Len() < maxBodySize-64; i++ {
				if i > 0 {
					body.WriteByte(',')
				}
				body.WriteString(strconv.Quote(tag(i)))
			}
			body.WriteString(`]}`)
			page := body.Bytes()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i, _ := strconv.Atoi(r.URL.Query().Get("page"))
				w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?page=%d>; rel="next"`, i+1))
				_, _ = w.Write(page)
			})
			b.ReportAllocs()
			for b.Loop() {
				c, ref := zooClient(b, h, "prefecthq/prefect")
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				if _, err := c.ListTags(context.Background(), ref); err == nil {
					b.Fatal("the listing passed its 64 MiB bound")
				}
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapSys-before.HeapSys)/(1<<20), "heap-sys-MiB")
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "held-MiB")
				runtime.KeepAlive(c)
			}
		})
	}
}
