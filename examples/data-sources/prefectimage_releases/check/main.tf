# The flows stay on Prefect 3.7.x until someone decides to move.
resource "prefectimage_pin" "flows" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
}

# Each plan warns, without failing, while a newer release than the pin is out.
check "prefect_is_current" {
  data "prefectimage_releases" "newer" {
    prefect_version = "> ${prefectimage_pin.flows.resolved_prefect_version}"
  }
  assert {
    condition     = length(data.prefectimage_releases.newer.versions) == 0
    error_message = "Newer Prefect releases: ${join(", ", data.prefectimage_releases.newer.versions)}"
  }
}
