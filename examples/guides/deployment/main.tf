# A deployment whose job variables name the image, resolved on every plan by
# the data source: when upstream moves, the deployment shows the change.
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

data "prefectimage_pin" "etl" {
  prefect_version = ">=3.7,<3.9"
  python_version  = "3.12"
  flavor          = "conda" # as the docker-conda pool's own image
}

resource "prefect_flow" "etl" {
  name = "nightly-etl"
}

resource "prefect_deployment" "etl" {
  name           = "nightly-etl"
  flow_id        = prefect_flow.etl.id
  work_pool_name = "docker-conda" # must exist: Prefect refuses a deployment whose pool it cannot find
  entrypoint     = "flows/etl.py:nightly_etl"

  job_variables = jsonencode({
    image = data.prefectimage_pin.etl.ref
    env = {
      PREFECT_VERSION = data.prefectimage_pin.etl.resolved_prefect_version
    }
  })
}
