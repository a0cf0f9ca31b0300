// Package mirrors holds no code of its own: its tests run the provider,
// built as a binary and driven by the Terraform CLI, through a pull-through
// cache (Debian's docker-registry, CNCF distribution 2.8, in proxy mode) in
// front of an in-process upstream seeded with Prefect's tags, and measure
// what reaches the upstream. docs/guides/mirrors.md is written from them.
package mirrors
