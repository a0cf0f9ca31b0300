# The base image for your own: pinned by digest, and handed to the image
# build as an output.
terraform {
  required_providers {
    prefectimage = {
      source = "prefectimage/prefectimage"
    }
  }
}

resource "prefectimage_pin" "base" {
  prefect_version = "~> 3.7.0"
  python_version  = "3.12"
}

# docker buildx build --build-arg PREFECT_IMAGE="$(terraform output -raw prefect_base_image)" ...
output "prefect_base_image" {
  value = prefectimage_pin.base.ref # prefecthq/prefect@sha256:…
}
