# A Kubernetes work pool whose nodes are linux/amd64 and linux/arm64. The pin
# moves only onto images that have both: when Prefect re-pushes a tag without
# one (2.20.21-python3.10 lost linux/amd64, PrefectHQ/prefect#18943), the pin
# holds the last good image and the plan warns.
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

resource "prefectimage_pin" "mixed_pool" {
  prefect_version    = "~> 3.7.0"
  python_version     = "3.12"
  flavor             = "kubernetes"
  required_platforms = ["linux/amd64", "linux/arm64"]

  # update (default): follow upstream onto images that have both platforms;
  # hold and warn when upstream's image lacks one. "error" fails the plan
  # instead, for a CI job that reads only the exit code.
  on_drift = "update"
}

data "prefect_worker_metadata" "defaults" {}

resource "prefect_work_pool" "mixed" {
  name = "kubernetes-mixed"
  type = "kubernetes"

  base_job_template = provider::prefectimage::set_image_default(
    data.prefect_worker_metadata.defaults.base_job_configs.kubernetes,
    prefectimage_pin.mixed_pool.tagged_ref,
  )
}

output "platforms" {
  # {"linux/amd64" = "sha256:…", "linux/arm64" = "sha256:…"}: each
  # platform's own image, kept in state so a steady plan reads no manifest.
  value = prefectimage_pin.mixed_pool.platform_digests
}
