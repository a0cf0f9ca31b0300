# The newest Prefect 3.4.x or later 3.x on Python 3.12, conda flavor.
data "prefectimage_pin" "flows" {
  prefect_version = "~> 3.4"
  python_version  = "3.12"
  flavor          = "conda"
}

# An exact release: no tag listing at all, one HEAD request.
data "prefectimage_pin" "legacy" {
  prefect_version = "3.1.15"
  python_version  = "3.11"
}

# PEP 440 syntax, as written in a requirements file; the highest Python
# published for the chosen release.
data "prefectimage_pin" "pep440" {
  prefect_version = ">=3.2,<3.5"
}

# A moving tag, pinned to what it points at right now, with the amd64 image.
data "prefectimage_pin" "latest" {
  tag      = "3-latest"
  platform = "linux/amd64"
}

# Refuse an image that lacks a platform the workers run. Checking reads the
# manifest: one GET per plan, which Docker Hub counts as a pull.
data "prefectimage_pin" "multiarch" {
  prefect_version    = "~> 3.4"
  python_version     = "3.12"
  required_platforms = ["linux/amd64", "linux/arm64"]
}

# The slim client image from a mirror.
data "prefectimage_pin" "client" {
  repository     = "ghcr.io/acme/prefect-client"
  python_version = ">= 3.11"
}

output "flows_image" {
  # prefecthq/prefect@sha256:…: hand this to a work pool or deployment.
  value = data.prefectimage_pin.flows.ref
}
