# The whole Dockerfile rendered by Terraform, with the pinned base written
# into its FROM line: the file itself records what it was built on.
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

# terraform output -raw dockerfile > Dockerfile
output "dockerfile" {
  value = templatefile("${path.module}/Dockerfile.tftpl", {
    base_image      = prefectimage_pin.base.ref
    tag             = prefectimage_pin.base.tag
    prefect_version = prefectimage_pin.base.resolved_prefect_version
    python_version  = prefectimage_pin.base.resolved_python_version
  })
}
