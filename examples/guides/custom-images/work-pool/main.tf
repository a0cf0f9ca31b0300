# The whole chain: Prefect's image pinned, your image built FROM it and
# pushed by CI, and a work pool whose defaults are your image, by digest,
# with a pull policy that suits a digest.
terraform {
  required_providers {
    prefect = {
      source = "PrefectHQ/prefect"
    }
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

resource "prefectimage_pin" "base" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
}

# What CI builds FROM.
output "prefect_base_image" {
  value = prefectimage_pin.base.ref
}

variable "flows_image" {
  description = "The image CI built FROM prefect_base_image and pushed, by digest."
  type        = string
  default     = "registry.example.com/acme/prefect-flows@sha256:3c6a1f0e9b8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"
}

data "prefect_worker_metadata" "defaults" {}

resource "prefect_work_pool" "flows" {
  name = "kubernetes-flows"
  type = "kubernetes"

  base_job_template = provider::prefectimage::set_variable_defaults(
    data.prefect_worker_metadata.defaults.base_job_configs.kubernetes,
    {
      image             = var.flows_image
      image_pull_policy = "IfNotPresent" # a digest never changes: a node that has it need not ask again
      namespace         = "prefect-flows"
      env = {
        PREFECT_LOGGING_LEVEL = "INFO"
      }
    },
  )
}
