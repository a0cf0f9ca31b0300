package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A registry whose manifest HEAD sends a Content-Type that names no type
// of manifest (none, or one a file server sends for any: Katello's
// application/json, Artifactory's application/octet-stream, an object
// store's binary/octet-stream or text/plain) with the Docker-Content-Digest
// of a schema 1 manifest: a genuine schema 1 tag, or a conversion made for
// a client it does not recognise. The HEAD alone cannot tell it from an
// index or an image; the GET's body can (schemaVersion 1), with the schema
// 1 Content-Type or the same generic one. No schema 1 digest is pinned:
// Head, as reading it, fails naming schema 1, not the digest mismatch a
// signed body gives (it never hashes to its Docker-Content-Digest, the
// payload's).
func TestZooManifestSchema1BehindGenericType(t *testing.T) {
	conv, signed := schema1Of("0.15.13", "linux/amd64")
	for _, headType := range []string{"", "application/json", "application/json; charset=utf-8", "application/octet-stream", "binary/octet-stream", "text/plain"} {
		for _, getType := range []string{schema1Type, headType} {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch ref := manifestRef(r); {
				case ref == "0.15.13" && r.Method == http.MethodHead:
					writeManifest(w, r, headType, conv, nil)
				case ref == "0.15.13":
					writeManifest(w, r, getType, conv, signed)
				default:
					writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
				}
			})
			c, ref := zooClient(t, h, zooRepo)
			d, err := c.Head(context.Background(), ref, "0.15.13")
			if err == nil || !strings.Contains(err.Error(), "schema 1") {
				t.Errorf("HEAD %q, GET %q: Head gave %+v, %v; want an error naming schema 1", headType, getType, d, err)
			}
			if _, err := c.Platforms(context.Background(), ref, "0.15.13"); err == nil || !strings.Contains(err.Error(), "schema 1") {
				t.Errorf("HEAD %q, GET %q: Platforms gave %v; want an error naming schema 1", headType, getType, err)
			}
		}
	}
}
