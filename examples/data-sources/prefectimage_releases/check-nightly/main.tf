resource "prefectimage_pin" "flows" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
}

# Outside the check block, the data source is read like any other: the plan
# stays empty when nothing changed, so -detailed-exitcode keeps its meaning.
# A registry failure here fails the plan instead of warning.
data "prefectimage_releases" "newer" {
  prefect_version = "> ${prefectimage_pin.flows.resolved_prefect_version}"
}

check "prefect_is_current" {
  assert {
    condition     = length(data.prefectimage_releases.newer.versions) == 0
    error_message = "Newer Prefect releases: ${join(", ", data.prefectimage_releases.newer.versions)}"
  }
}
