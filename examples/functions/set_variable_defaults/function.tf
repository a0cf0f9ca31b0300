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

# Prefect's default base job templates, one per worker type.
data "prefect_worker_metadata" "defaults" {}

# One call sets every job variable that would otherwise take a hand-edited
# copy of the template. Each value is checked against the variable's schema
# in the template: image_pull_policy = "Sometimes", a job variable the
# Kubernetes template lacks, or env = { PORT = 8080 } (env values are
# strings) is an error at plan time, not a failed flow run.
resource "prefect_work_pool" "kubernetes" {
  name = "k8s-flows"
  type = "kubernetes"
  base_job_template = provider::prefectimage::set_variable_defaults(
    data.prefect_worker_metadata.defaults.base_job_configs.kubernetes,
    {
      image             = data.prefectimage_pin.flows.tagged_ref # prefecthq/prefect:3.1.15-python3.12-kubernetes@sha256:…
      image_pull_policy = "IfNotPresent"                         # a digest never changes: pulling again is waste
      namespace         = "flows"
      finished_job_ttl  = 3600
      env = {
        PREFECT_LOGGING_LEVEL = "INFO"
      }
    },
  )
}

# The Docker pool runs the standard image: the kubernetes flavor above adds
# prefect-kubernetes, which a Docker worker's flow runs do not need.
data "prefectimage_pin" "docker_flows" {
  prefect_version = "~> 3.1.0"
  python_version  = "3.12"
}

# Values of any type: bools, numbers and strings, objects, lists. A null
# value removes the variable's default instead.
resource "prefect_work_pool" "docker" {
  name = "docker-flows"
  type = "docker"
  base_job_template = provider::prefectimage::set_variable_defaults(
    data.prefect_worker_metadata.defaults.base_job_configs.docker,
    {
      image       = data.prefectimage_pin.docker_flows.ref # prefecthq/prefect@sha256:…
      auto_remove = true
      mem_limit   = "4g"
      volumes     = ["/srv/flows/data:/data:ro"]
    },
  )
}
