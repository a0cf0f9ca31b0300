terraform {
  required_providers {
    prefectimage = {
      source  = "prefectimage/prefectimage"
      version = "~> 0.1"
    }
  }
}

variable "dockerhub_token" {
  type      = string
  sensitive = true
}

provider "prefectimage" {
  # The default repository of every pin; a mirror works the same way.
  repository = "prefecthq/prefect"

  # Docker Hub counts authenticated pulls against the account (a higher limit,
  # none on paid plans), not the shared IP address of anonymous ones. Without
  # a block, the Docker config (docker login) is used, then anonymous access.
  registry_auth {
    address  = "registry-1.docker.io"
    username = "platform-bot"
    password = var.dockerhub_token
  }

  request_timeout = "30s"
  max_retries     = 3
}
