// Package prefecttag knows how Prefect names its Docker images: the tag
// grammar, PEP 440 versions and their order, version constraints in both
// Terraform's and PEP 440's syntax, and the choice of one release tag from a
// repository's tag list.
//
// The package is pure: no I/O, nothing from Terraform. The registry client
// lists tags, this package picks one, the provider converts between them.
package prefecttag
