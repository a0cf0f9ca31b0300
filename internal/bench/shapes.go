package bench

import "github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"

// Shapes are the tag list shapes whose fleet plan the benchmark measures,
// a row each in BENCHMARKS.md: every shape of registrytest.Shapes, and
// CNCF distribution v3.1 on S3 (registrytest.ObjectStorageShape), which
// registrytest keeps out of Shapes so that the test suites that run every
// shape stay within their time.
func Shapes() []registrytest.Shape {
	return append(registrytest.Shapes(), registrytest.ObjectStorageShape())
}
