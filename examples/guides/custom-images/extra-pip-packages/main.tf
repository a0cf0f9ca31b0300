# A development work pool: Prefect's own image, pinned, and a few small
# pure-Python packages that the image installs with pip when each flow run's
# container starts.
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

resource "prefectimage_pin" "dev" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
}

data "prefect_worker_metadata" "defaults" {}

resource "prefect_work_pool" "dev" {
  name = "docker-dev"
  type = "docker"

  base_job_template = provider::prefectimage::set_variable_defaults(
    data.prefect_worker_metadata.defaults.base_job_configs.docker,
    {
      image             = prefectimage_pin.dev.ref
      image_pull_policy = "IfNotPresent"
      env = {
        # Exact versions: an unpinned package is a moving tag by another name.
        EXTRA_PIP_PACKAGES = "httpx==0.27.2 python-dateutil==2.9.0.post0"
      }
    },
  )
}
