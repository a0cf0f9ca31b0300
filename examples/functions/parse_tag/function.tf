# Provider functions need Terraform 1.8 or later. OpenTofu has them from 1.7,
# but reads required_version as its own version: write ">= 1.7.0" there.
terraform {
  required_version = ">= 1.8.0"
  required_providers {
    prefect = {
      source = "prefecthq/prefect"
    }
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

data "prefectimage_pin" "flows" {
  prefect_version = "~> 3.1.0" # the newest 3.1.z: 3.1.15
  python_version  = "3.12"
  flavor          = "kubernetes"
}

locals {
  # For 3.1.15-python3.12-kubernetes:
  # { kind = "release", prefect_version = "3.1.15", python_version = "3.12",
  #   flavor = "kubernetes", prerelease = false }
  flows_image = provider::prefectimage::parse_tag(data.prefectimage_pin.flows.tag)
}

# Say in the work pool what its flows run on.
resource "prefect_work_pool" "kubernetes" {
  name = "k8s-flows"
  type = "kubernetes"
  description = format(
    "Flows run on Prefect %s, Python %s (%s image).",
    local.flows_image.prefect_version,
    local.flows_image.python_version,
    local.flows_image.flavor,
  )
}

# A latest tag names no full version and no Python: prefect_version is the
# major version ("3") and python_version is null (3-python3.12 would give
# "3.12"). prerelease is false, since latest, major and minor tags move only
# on stable releases; it is null only for sha- tags.
output "latest" {
  value = provider::prefectimage::parse_tag("3-latest-conda")
}

# Refuse to roll a work pool onto a release candidate or a nightly build.
check "stable_release" {
  assert {
    condition     = !local.flows_image.prerelease
    error_message = "The pinned tag ${data.prefectimage_pin.flows.tag} is a prerelease."
  }
}
