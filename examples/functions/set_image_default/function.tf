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
}

# A Docker work pool whose flow runs use the pinned image unless a deployment
# sets its own. docker-base-job-template.json is the output of
#   prefect work-pool get-default-base-job-template --type docker
# and keeps "image": "{{ image }}" in its job_configuration.
resource "prefect_work_pool" "docker" {
  name = "docker-flows"
  type = "docker"
  base_job_template = provider::prefectimage::set_image_default(
    file("${path.module}/docker-base-job-template.json"),
    data.prefectimage_pin.flows.ref, # prefecthq/prefect@sha256:…
  )
}

# The prefect provider's default templates work as well. Kubernetes takes the
# tag-and-digest form, which keeps the tag readable in pod specs.
data "prefect_worker_metadata" "defaults" {}

resource "prefect_work_pool" "kubernetes" {
  name = "k8s-flows"
  type = "kubernetes"
  base_job_template = provider::prefectimage::set_image_default(
    data.prefect_worker_metadata.defaults.base_job_configs.kubernetes,
    data.prefectimage_pin.flows.tagged_ref, # prefecthq/prefect:3.1.15-python3.12@sha256:…
  )
}
