# A Prefect work pool whose base job template defaults to a pinned image.
# The pin lives in state: when Prefect re-pushes the tag or releases a newer
# 3.7.x, `terraform plan` shows the pin and the work pool change together.
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

provider "prefect" {}

provider "prefectimage" {}

resource "prefectimage_pin" "docker_pool" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
  flavor          = "conda"
}

# Prefect's default base job templates, one per worker type.
data "prefect_worker_metadata" "defaults" {}

resource "prefect_work_pool" "docker" {
  name   = "docker-conda"
  type   = "docker"
  paused = false

  # HCL has no deep merge: set_image_default sets
  # variables.properties.image.default and leaves everything else as it was.
  # The Docker worker wants `ref` (repository@digest), not `tagged_ref`.
  base_job_template = provider::prefectimage::set_image_default(
    data.prefect_worker_metadata.defaults.base_job_configs.docker,
    prefectimage_pin.docker_pool.ref,
  )
}

# Kubernetes accepts repository:tag@digest, which keeps the tag readable in
# `kubectl describe`; the digest still decides what runs.
resource "prefectimage_pin" "k8s_pool" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
  flavor          = "kubernetes"
  # When upstream moves, this pool's pin holds and the plan only warns.
  on_drift = "warn"
}

resource "prefect_work_pool" "kubernetes" {
  name = "kubernetes"
  type = "kubernetes"

  base_job_template = provider::prefectimage::set_image_default(
    data.prefect_worker_metadata.defaults.base_job_configs.kubernetes,
    prefectimage_pin.k8s_pool.tagged_ref,
  )
}
