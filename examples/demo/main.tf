# The configuration `make demo` applies against a local registry seeded with
# Prefect's tag catalog. Point `registry` at Docker Hub's name (the default)
# to run it for real.
terraform {
  required_version = ">= 1.8"
  required_providers {
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

variable "registry" {
  type        = string
  description = "Where prefecthq/prefect lives: docker.io, a mirror, or the demo's 127.0.0.1:PORT."
  default     = "docker.io"
}

provider "prefectimage" {
  repository = "${var.registry}/prefecthq/prefect"
}

# Resolved on every plan: the newest Prefect 3.x on Python 3.12.
data "prefectimage_pin" "latest_312" {
  prefect_version = "~> 3.0"
  python_version  = "3.12"
}

# Held in state: a plan shows when upstream moves, and follows it
# (on_drift = "update", the default).
resource "prefectimage_pin" "flows" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
  flavor          = "conda"
}

# A Docker work pool's base job template with the pinned image as default.
# With the PrefectHQ/prefect provider this is prefect_work_pool.base_job_template.
resource "terraform_data" "work_pool_template" {
  input = provider::prefectimage::set_image_default(
    file("${path.module}/docker-base-job-template.json"),
    prefectimage_pin.flows.ref,
  )
}

output "pinned_ref" {
  value = prefectimage_pin.flows.ref
}

output "pinned_tag" {
  value = prefectimage_pin.flows.tagged_ref
}

output "newest_312" {
  value = data.prefectimage_pin.latest_312.tag
}

# From input, which the plan knows: terraform_data's output is only known
# after apply.
output "work_pool_image_default" {
  value = jsondecode(terraform_data.work_pool_template.input).variables.properties.image.default
}
